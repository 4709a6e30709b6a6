namespace McpAspire.Hosting.Scaling;

/// <summary>What the replica holding a session answered to a forwarded message: the HTTP status and body it gave.</summary>
internal sealed record ForwardedAnswer(int StatusCode, string ContentType, string Body);
