using Microsoft.AspNetCore.Http;

namespace McpAspire.Hosting.Http;

/// <summary>The public paths of the HTTP hosts.</summary>
internal static class McpHttpPaths
{
    /// <summary>Streamable HTTP (stateful on the front-end, stateless on the worker).</summary>
    public const string Mcp = "/mcp";

    /// <summary>The legacy transport's event stream, at the root as 2024-11-05 clients expect it.</summary>
    public const string LegacySse = "/sse";

    /// <summary>ServiceDefaults' probe paths: readiness (every check) and liveness.</summary>
    public const string Health = "/health";
    public const string Alive = "/alive";

    /// <summary>Where the SDK maps the legacy transport under <see cref="Mcp"/>; the root aliases are rewritten to these.</summary>
    internal const string SdkLegacySse = Mcp + "/sse";
    internal const string SdkLegacyMessage = Mcp + "/message";

    /// <summary>Marks a request whose path was rewritten to the SDK's legacy endpoints: its resource is <see cref="LegacySse"/>.</summary>
    private const string LegacyResourceItem = "McpAspire.LegacyResource";

    public static void MarkLegacy(HttpContext context) => context.Items[LegacyResourceItem] = true;

    /// <summary>
    /// The path of the MCP resource a request is for (RFC 9728 names a resource's metadata after it): <c>/sse</c> for
    /// every request of the legacy transport (its event stream and its posts), whatever path the SDK serves it at.
    /// </summary>
    public static PathString ResourcePathOf(HttpContext context) =>
        context.Items.ContainsKey(LegacyResourceItem) ? LegacySse : context.Request.Path;

    /// <summary>POST paths that reach the legacy message endpoint: the SDK's name, and the plural the seed documents.</summary>
    internal static readonly string[] LegacyMessageAliases = ["/message", "/messages", Mcp + "/messages"];
}
