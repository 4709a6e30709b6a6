namespace McpAspire.AuthorizationServer.Stores;

/// <summary>The stores' setters: OpenIddict sets an entity's fields one call at a time and saves it with one update.</summary>
internal static class EntityFields
{
    public static ValueTask Set(Action set)
    {
        set();
        return default;
    }
}
