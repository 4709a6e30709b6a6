using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using McpAspire.Tools.Validation;
using ModelContextProtocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Reads the JSON-RPC method, tool name and id of an MCP POST into <see cref="McpRequestInfo"/> and hands the SDK the
/// same bytes. A body that is not UTF-8 is refused here (-32700; the SDK would answer 500, or decode it with
/// replacement characters); on the legacy message endpoint so is one that is not JSON (the SDK would answer 500).
/// Any other malformed body is left to the SDK, which answers it.
/// </summary>
internal sealed class McpRequestPeekMiddleware(RequestDelegate next)
{
    /// <summary>The buffer a body of unknown length starts with; a declared length is taken as it is (the edge has capped it).</summary>
    private const int InitialCapacity = 4096;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var body = new MemoryStream(request.ContentLength is { } length and <= int.MaxValue ? (int)length : InitialCapacity);
        await request.Body.CopyToAsync(body, context.RequestAborted);
        body.Position = 0;
        request.Body = body;
        var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);

        if (!Utf8.IsValid(bytes.Span))
        {
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.ParseError,
                "Parse error: the request body is not valid UTF-8, as JSON text must be.");
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var info = Describe(document.RootElement);
            context.Features.Set(info);
            if (info is { Method: { } method } && ShapeProblem(document.RootElement, method) is { } problem)
            {
                await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidParams, problem, info.Id);
                return;
            }
        }
        catch (JsonException) when (request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase))
        {
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.ParseError,
                "Parse error: the request body is not well-formed JSON.");
            return;
        }
        catch (JsonException)
        {
            // Streamable HTTP: the SDK answers a malformed body itself (400, -32600).
        }

        await next(context);
    }

    /// <summary>
    /// Params, or their <c>_meta</c>, that are not an object: the SDK reads <c>_meta</c> before any filter runs and
    /// answers these with -32603 "An error occurred.", so <see cref="RequestParamsValidator"/> never sees them.
    /// </summary>
    private static string? ShapeProblem(JsonElement root, string method)
    {
        if (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind is JsonValueKind.Null)
        {
            return null;
        }

        if (parameters.ValueKind is not JsonValueKind.Object)
        {
            return RequestParamsValidator.NotAnObject(method, "params", parameters.ValueKind);
        }

        return parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)
            ? RequestParamsValidator.NotAnObject(method, "params._meta", meta.ValueKind)
            : null;
    }

    private static McpRequestInfo? Describe(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
        {
            string? tool = root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                parameters.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    ? name.GetString()
                    : null;
            JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
            return new McpRequestInfo(method.GetString()!, tool, id);
        }

        // A client's answer to a server request (sampling, elicitation, roots).
        return root.TryGetProperty("id", out var answered) && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _))
            ? new McpRequestInfo(null, null, answered.Clone())
            : null;
    }
}
