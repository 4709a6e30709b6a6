namespace McpAspire.AuthServer.Stores;

/// <summary>How a client came to be registered.</summary>
public static class ClientSources
{
    public const string Configuration = "configuration";
    public const string MetadataDocument = "metadata-document";
    public const string DynamicRegistration = "dynamic-registration";
}
