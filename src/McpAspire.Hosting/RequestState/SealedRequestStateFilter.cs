using System.Text.Json;
using McpAspire.Abstractions;
using McpAspire.State;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.RequestState;

/// <summary>
/// Wraps tool calls and prompt requests so that a handler works with its own plain <c>requestState</c> while the client
/// only ever holds it sealed (<see cref="RequestStateSealer"/>). A state that comes in is opened and spent before the
/// handler runs, and the handler sees what it gave; a state the handler gives with an <see cref="InputRequiredException"/>
/// is sealed on its way out. The same filters serve every era: on a 2025-era session the SDK answers the input requests
/// through the client and calls the handler again, through them, with the sealed state.
/// </summary>
internal static class SealedRequestStateFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> CallTool(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var parameters = request.Params;
            return await RunAsync(request, parameters, () => Binding(request, RequestMethods.ToolsCall, parameters?.Name, parameters?.Arguments),
                () => next(request, cancellationToken), cancellationToken);
        };

    public static McpRequestHandler<GetPromptRequestParams, GetPromptResult> GetPrompt(McpRequestHandler<GetPromptRequestParams, GetPromptResult> next) =>
        async (request, cancellationToken) =>
        {
            var parameters = request.Params;
            return await RunAsync(request, parameters, () => Binding(request, RequestMethods.PromptsGet, parameters?.Name, parameters?.Arguments),
                () => next(request, cancellationToken), cancellationToken);
        };

    private static async ValueTask<TResult> RunAsync<TParams, TResult>(
        RequestContext<TParams> request, RequestParams? parameters, Func<RequestStateBinding> binding, Func<ValueTask<TResult>> next, CancellationToken cancellationToken)
    {
        // Most calls carry no state and need none: then this costs nothing but the try.
        if (parameters?.RequestState is { } sealedState)
        {
            parameters.RequestState = await Sealer(request).OpenAsync(sealedState, binding(), cancellationToken);
        }

        try
        {
            return await next();
        }
        catch (InputRequiredException inputRequired)
        {
            var result = inputRequired.Result;
            throw new InputRequiredException(new InputRequiredResult
            {
                InputRequests = result.InputRequests,
                RequestState = Sealer(request).Seal(result.RequestState, binding()),
                Meta = result.Meta,
            });
        }
    }

    private static RequestStateBinding Binding<TParams>(RequestContext<TParams> request, string method, string? name, IEnumerable<KeyValuePair<string, JsonElement>>? arguments)
    {
        var caller = Services(request).GetRequiredService<IMcpCallerAccessor>().GetCaller(request.Server, request.User);
        return new RequestStateBinding(caller.Principal, method, name ?? "", ArgumentsDigest.Compute(arguments));
    }

    private static RequestStateSealer Sealer<TParams>(RequestContext<TParams> request) => Services(request).GetRequiredService<RequestStateSealer>();

    private static IServiceProvider Services<TParams>(RequestContext<TParams> request) => request.Services ?? request.Server.Services!;
}
