using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using McpAspire.Hosting.Validation;
using Microsoft.AspNetCore.Http;
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

    /// <summary>
    /// The largest body read in place in the request's pipe: far below Kestrel's 1 MB input buffer and HTTP/2's 768 KB
    /// stream window, so holding it unconsumed never stalls the connection.
    /// </summary>
    private const int MaxPeekedInPlace = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments(McpHttpPaths.Mcp, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        // A small body of declared length is read where Kestrel holds it and left unconsumed, so the SDK reads the same
        // bytes from the same pipe: no copy, and no stream adapter over one. Anything else is copied out first, since a
        // body held unconsumed in the pipe can stall it (Kestrel pauses a connection's input at MaxRequestBufferSize,
        // HTTP/2 at its flow-control window).
        Refusal? refusal;
        if (request.ContentLength is > 0 and <= MaxPeekedInPlace)
        {
            var reader = request.BodyReader;
            var read = await reader.ReadAsync(context.RequestAborted);
            while (!read.IsCompleted)
            {
                if (read.IsCanceled)
                {
                    throw new OperationCanceledException("The request body's read was cancelled.", context.RequestAborted);
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await reader.ReadAsync(context.RequestAborted);
            }

            try
            {
                refusal = Peek(context, read.Buffer.IsSingleSegment ? read.Buffer.First : read.Buffer.ToArray());
            }
            finally
            {
                // Nothing consumed: the SDK's read gets the whole body from the start.
                reader.AdvanceTo(read.Buffer.Start);
            }
        }
        else
        {
            var body = new MemoryStream(request.ContentLength is { } length and <= int.MaxValue ? (int)length : InitialCapacity);
            await request.Body.CopyToAsync(body, context.RequestAborted);
            body.Position = 0;
            request.Body = body;
            refusal = Peek(context, body.GetBuffer().AsMemory(0, (int)body.Length));
        }

        if (refusal is { } refused)
        {
            await JsonRpcErrors.WriteAsync(context, StatusCodes.Status400BadRequest, refused.Code, refused.Message, refused.Id);
            return;
        }

        await next(context);
    }

    /// <summary>A message the edge answers itself, with 400.</summary>
    private readonly record struct Refusal(McpErrorCode Code, string Message, JsonElement? Id = null);

    /// <summary>
    /// Describes the message in <paramref name="bytes"/> into <see cref="McpRequestInfo"/>, or says why it goes no further.
    /// Nothing refers to the bytes once this returns.
    /// </summary>
    private static Refusal? Peek(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        var request = context.Request;
        if (!Utf8.IsValid(bytes.Span))
        {
            return new(McpErrorCode.ParseError, "Parse error: the request body is not valid UTF-8, as JSON text must be.");
        }

        // The SDK reads past a byte order mark, so this must too: the edge has to see the message the SDK will handle.
        if (bytes.Span.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        // Every check after this one (scopes, rate limits, the access log) keys on what is read here, so a body this
        // cannot read goes no further, even one the SDK might have read some other way.
        var legacy = request.Path.Equals(McpHttpPaths.SdkLegacyMessage, StringComparison.OrdinalIgnoreCase);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            return legacy
                ? new(McpErrorCode.ParseError, $"Parse error: the request body is not well-formed JSON: {ex.Message}")
                : new(McpErrorCode.InvalidRequest, JsonRpcErrors.NotAMessage(ex.Message));
        }

        using (document)
        {
            // The legacy endpoint answers a body of null with a bare string, and nothing else but an object is a message.
            if (document.RootElement.ValueKind != JsonValueKind.Object && legacy)
            {
                return new(McpErrorCode.InvalidRequest,
                    JsonRpcErrors.NotAMessage($"a message is a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."));
            }

            // The SDK's HTTP reader skips members JSON-RPC does not define only when it holds the whole body at once (a
            // body it reads in parts fails on them), so one message would pass or fail by its size and framing. Refused
            // here whatever the size.
            if (UnknownMember(document.RootElement) is { } unknown)
            {
                return new(McpErrorCode.InvalidRequest, JsonRpcErrors.NotAMessage($"'{unknown}' is not a member of a JSON-RPC message."));
            }

            var info = Describe(document.RootElement);
            context.Features.Set(info);
            // initialize starts a session: inside one, the SDK would run the session-start hooks again with the first
            // request's HttpContext, long disposed (500).
            if (info is { Method: RequestMethods.Initialize } && request.Headers.ContainsKey(McpHeaders.SessionId))
            {
                return new(McpErrorCode.InvalidRequest, $"Bad Request: initialize starts a session; send it without {McpHeaders.SessionId}.", info.Id);
            }

            return info is { Method: { } method } && Problem(document.RootElement, method, McpHeaders.IsSessionless(request.Headers)) is { } problem
                ? new(McpErrorCode.InvalidParams, problem, info.Id)
                : null;
        }
    }

    /// <summary>
    /// Params, or their <c>_meta</c>, that are not an object: the SDK reads <c>_meta</c> before any filter runs and
    /// answers these with -32603 "An error occurred.", so <see cref="RequestParamsValidator"/> never sees them. And the
    /// params of <c>initialize</c>, which the SDK binds itself to start a session, also before any filter. At the
    /// sessionless wire (2026-07-28 on) there is no <c>initialize</c>: the SDK answers it 404 <c>-32601</c>.
    /// </summary>
    private static string? Problem(JsonElement root, string method, bool sessionless)
    {
        if (method == RequestMethods.Initialize && !sessionless)
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

    private static string? UnknownMember(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var member in root.EnumerateObject())
        {
            if (member.Name is not ("jsonrpc" or "id" or "method" or "params" or "result" or "error"))
            {
                return ClientText.Shorten(member.Name);
            }
        }

        return null;
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
