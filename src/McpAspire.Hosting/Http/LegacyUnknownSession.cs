using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// A legacy SSE post for a session this replica does not hold (never did, or its stream has just ended) is answered
/// 404 <c>-32001</c> "Session not found", as an unknown Streamable HTTP session is, and as the replica routing answers for
/// a session no replica holds. The SDK (2.4.0) answers it 400 with a bare JSON string.
/// </summary>
internal static class LegacyUnknownSession
{
    private const string SdkBody = "\"Session ID not found.\"";

    /// <summary>Whether an answer of the SDK's legacy message endpoint says it does not know the session.</summary>
    public static bool IsSdkAnswer(int statusCode, string body) =>
        statusCode == StatusCodes.Status400BadRequest && string.Equals(body, SdkBody, StringComparison.Ordinal);

    public static Task WriteAsync(HttpContext context) =>
        JsonRpcErrors.WriteAsync(context, StatusCodes.Status404NotFound, JsonRpcErrors.SessionNotFound, JsonRpcErrors.SessionNotFoundMessage,
            context.Features.Get<McpRequestInfo>()?.Id);

    /// <summary>
    /// Runs the SDK's legacy message endpoint with its answer held back (it is a status line and a few bytes: the
    /// JSON-RPC answer goes out on the session's stream), and replaces an unknown-session answer before anything is sent.
    /// </summary>
    public static async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        // No prior feature: a flush by the SDK fills the buffer and starts nothing on the wire.
        var held = new StreamResponseBodyFeature(buffer);
        context.Features.Set<IHttpResponseBodyFeature>(held);
        try
        {
            await next(context);
            await held.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        if (buffer.TryGetBuffer(out var written) &&
            IsSdkAnswer(context.Response.StatusCode, Encoding.UTF8.GetString(written)))
        {
            await WriteAsync(context);
            return;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original.Stream, context.RequestAborted);
    }
}
