namespace McpAspire.Hosting.Http;

/// <summary>The public paths of the HTTP hosts.</summary>
internal static class McpHttpPaths
{
    /// <summary>Streamable HTTP (stateful on the front-end, stateless on the worker).</summary>
    public const string Mcp = "/mcp";

    /// <summary>The legacy transport's event stream, at the root as 2024-11-05 clients expect it.</summary>
    public const string LegacySse = "/sse";

    /// <summary>Where the SDK maps the legacy transport under <see cref="Mcp"/>; the root aliases are rewritten to these.</summary>
    internal const string SdkLegacySse = Mcp + "/sse";
    internal const string SdkLegacyMessage = Mcp + "/message";

    /// <summary>POST paths that reach the legacy message endpoint: the SDK's name, and the plural the seed documents.</summary>
    internal static readonly string[] LegacyMessageAliases = ["/message", "/messages", Mcp + "/messages"];
}
