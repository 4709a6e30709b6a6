namespace McpAspire.AuthorizationServer.Stores;

/// <summary>How a client came to be registered.</summary>
internal static class ClientSources
{
    public const string Configuration = "configuration";
    public const string MetadataDocument = "metadata-document";
    public const string DynamicRegistration = "dynamic-registration";
}
