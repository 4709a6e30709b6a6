using ModelContextProtocol;

namespace McpAspire.State;

/// <summary>JSON-RPC error codes McpAspire defines (JSON-RPC reserves -32000 to -32099 for implementation-defined server errors).</summary>
public static class McpAspireErrorCodes
{
    /// <summary>The caller spent its rate limit; the error's data carries <c>retryAfterSeconds</c>.</summary>
    public const McpErrorCode RateLimited = (McpErrorCode)(-32029);

    /// <summary>The shared state store (Redis) is unreachable and the request needed it; nothing was lost: retry shortly.</summary>
    public const McpErrorCode StateUnavailable = (McpErrorCode)(-32030);
}
