using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Reads the JSON-RPC method, tool name and id of an MCP POST into <see cref="McpRequestInfo"/> and rewinds the body for
/// the SDK. A body that does not parse is left alone: the SDK answers it.
/// </summary>
internal sealed class McpRequestPeekMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase))
        {
            context.Request.EnableBuffering();
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (document.RootElement is { ValueKind: JsonValueKind.Object } root &&
                    root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
                {
                    string? tool = root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                        parameters.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                            ? name.GetString()
                            : null;
                    JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
                    context.Features.Set(new McpRequestInfo(method.GetString()!, tool, id));
                }
                else if (document.RootElement is { ValueKind: JsonValueKind.Object } answer && answer.TryGetProperty("id", out var answered) &&
                    (answer.TryGetProperty("result", out _) || answer.TryGetProperty("error", out _)))
                {
                    context.Features.Set(new McpRequestInfo(null, null, answered.Clone()));
                }
            }
            catch (JsonException)
            {
                // Not ours to answer.
            }
            finally
            {
                context.Request.Body.Position = 0;
            }
        }

        await next(context);
    }
}
