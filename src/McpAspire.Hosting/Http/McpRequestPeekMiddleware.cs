using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using McpAspire.Tools.Validation;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Http;

/// <summary>
/// Reads the JSON-RPC method, tool name and id of an MCP POST into <see cref="McpRequestInfo"/> and hands the SDK the
/// same bytes. A body that is not UTF-8 (the SDK would answer 500, or decode it with replacement characters) or not
/// JSON is refused here, worded as the SDK words it on <c>/mcp</c> (on the legacy endpoint the SDK would answer 500);
/// so are params the SDK cannot get as far as its filters with. Well-formed bodies that are not valid messages are
/// left to the SDK, which answers them.
/// </summary>
internal sealed class McpRequestPeekMiddleware(RequestDelegate next)
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

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

        // The SDK reads past a byte order mark, so this must too: the edge has to see the message the SDK will handle.
        if (bytes.Span.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        // Every check after this one (scopes, rate limits, the access log) keys on what is read here, so a body this
        // cannot read goes no further, even one the SDK might have read some other way.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            var legacy = request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase);
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                legacy ? McpErrorCode.ParseError : McpErrorCode.InvalidRequest,
                legacy ? $"Parse error: the request body is not well-formed JSON: {ex.Message}" : JsonRpcErrors.NotAMessage(ex.Message));
            return;
        }

        using (document)
        {
            // The legacy endpoint answers a body of null with a bare string, and nothing else but an object is a message.
            if (document.RootElement.ValueKind != JsonValueKind.Object && request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase))
            {
                await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    JsonRpcErrors.NotAMessage($"a message is a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."));
                return;
            }

            var info = Describe(document.RootElement);
            context.Features.Set(info);
            // initialize starts a session: inside one, the SDK would run the session-start hooks again with the first
            // request's HttpContext, long disposed (500).
            if (info is { Method: RequestMethods.Initialize } && request.Headers.ContainsKey(McpHeaders.SessionId))
            {
                await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest,
                    $"Bad Request: initialize starts a session; send it without {McpHeaders.SessionId}.", info.Id);
                return;
            }

            if (info is { Method: { } method } && Problem(document.RootElement, method) is { } problem)
            {
                await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidParams, problem, info.Id);
                return;
            }
        }

        await next(context);
    }

    /// <summary>
    /// Params, or their <c>_meta</c>, that are not an object: the SDK reads <c>_meta</c> before any filter runs and
    /// answers these with -32603 "An error occurred.", so <see cref="RequestParamsValidator"/> never sees them. And the
    /// params of <c>initialize</c>, which the SDK binds itself to start a session, also before any filter.
    /// </summary>
    private static string? Problem(JsonElement root, string method)
    {
        if (method == RequestMethods.Initialize)
        {
            return RequestParamsValidator.Validate(method, root.TryGetProperty("params", out var initialize) ? JsonNode.Parse(initialize.GetRawText()) : null);
        }

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
