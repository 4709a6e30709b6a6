using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Http;

/// <summary>What an MCP POST asks for, read once at the edge so rate limiting (and logging) can key on the tool.</summary>
/// <param name="Method">The JSON-RPC method; null for a client's answer to a server request (sampling, elicitation, roots).</param>
/// <param name="ToolName">For <c>tools/call</c>, the tool's name.</param>
/// <param name="Id">The request id, to echo in an error the edge answers itself.</param>
internal sealed record McpRequestInfo(string? Method, string? ToolName, JsonElement? Id)
{
    /// <summary>True for a message another replica's copy of the session may be waiting for: an answer, or a cancellation.</summary>
    public bool ConcernsOtherRequests => Method is null or NotificationMethods.CancelledNotification;
}
