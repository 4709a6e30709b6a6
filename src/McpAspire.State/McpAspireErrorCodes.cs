using ModelContextProtocol;

namespace McpAspire.State;

/// <summary>JSON-RPC error codes McpAspire defines (JSON-RPC reserves -32000 to -32099 for implementation-defined server errors).</summary>
public static class McpAspireErrorCodes
{
    /// <summary>The caller spent its rate limit; the error's data carries <c>retryAfterSeconds</c>.</summary>
    public const McpErrorCode RateLimited = (McpErrorCode)(-32029);

    /// <summary>The shared state store (Redis) is unreachable and the request needed it; nothing was lost: retry shortly.</summary>
    public const McpErrorCode StateUnavailable = (McpErrorCode)(-32030);

    /// <summary>The request carried no credentials, or credentials that are not valid; the response's <c>WWW-Authenticate</c> says how to get some.</summary>
    public const McpErrorCode Unauthorized = (McpErrorCode)(-32031);

    /// <summary>The security edge refused the request whoever sent it: plain HTTP, a client network, an origin, or a tool outside the caller's scopes.</summary>
    public const McpErrorCode Forbidden = (McpErrorCode)(-32032);
}
