using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Validation;

/// <summary>
/// Answers an <c>initialize</c> whose params do not bind (wrong types) with -32602 naming the member, where the SDK
/// answers -32603 "An error occurred" on stdio and 500 over HTTP.
/// </summary>
public static class InitializeParamsValidator
{
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.Initialize } request &&
                Validate(request.Params) is { } problem)
            {
                await context.Server.SendMessageAsync(
                    new JsonRpcError
                    {
                        Id = request.Id,
                        Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InvalidParams, Message = problem },
                    },
                    cancellationToken);
                return;
            }

            await next(context, cancellationToken);
        };

    /// <summary>Null when <paramref name="parameters"/> bind to <see cref="InitializeRequestParams"/>, else what is wrong.</summary>
    public static string? Validate(System.Text.Json.Nodes.JsonNode? parameters)
    {
        if (parameters is null)
        {
            return "Invalid params: initialize requires params with protocolVersion, capabilities and clientInfo.";
        }

        try
        {
            _ = parameters.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams)));
            return null;
        }
        catch (JsonException ex)
        {
            return $"Invalid params: '{ex.Path}' of initialize has the wrong type.";
        }
    }
}
