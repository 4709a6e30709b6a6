using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using McpAspire.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace McpAspire.ConformanceHost.Tools;

#pragma warning disable MCP9005 // Sampling, roots and logging are deprecated as of 2026-07-28; the 2026-07-28 scenarios still test them, as servers still serve them.

/// <summary>
/// The multi round-trip request fixtures of the 2026-07-28 scenarios (input-required-result-*, SEP-2322). Each tool asks
/// by throwing <see cref="InputRequiredException"/> and reads the answers through <see cref="ClientInputs"/>, as the
/// product's tools do; the server seals every state they give, so a tampered state never reaches them.
/// </summary>
[McpServerToolType]
public sealed class InputRequiredTools
{
    [McpServerTool(Name = "test_input_required_result_elicitation", ReadOnly = true)]
    [Description("Asks the user's name (elicitation) and greets them.")]
    public static string Elicitation(RequestContext<CallToolRequestParams> request) =>
        Name(ClientInputs.Elicited(request.Params, "user_name")) is { } name
            ? $"Hello, {name}!"
            : throw Ask(request, ("user_name", AskName("What is your name?")));

    [McpServerTool(Name = "test_input_required_result_sampling", ReadOnly = true)]
    [Description("Asks the client's model a question (sampling) and returns its answer.")]
    public static string Sampling(RequestContext<CallToolRequestParams> request) =>
        ClientInputs.Text(ClientInputs.Sampled(request.Params, "capital_question")) is { } answer
            ? $"The model answered: {answer}"
            : throw Ask(request, ("capital_question", Sample("What is the capital of France?", 100)));

    [McpServerTool(Name = "test_input_required_result_list_roots", ReadOnly = true)]
    [Description("Asks the client for its roots and counts them.")]
    public static string ListRoots(RequestContext<CallToolRequestParams> request) =>
        ClientInputs.Roots(request.Params, "client_roots") is { } roots
            ? $"Found {roots.Roots.Count} root(s)"
            : throw Ask(request, ("client_roots", InputRequest.ForRootsList(new ListRootsRequestParams())));

    [McpServerTool(Name = "test_input_required_result_request_state", ReadOnly = true)]
    [Description("Asks for a confirmation with a request state, and completes only when that state comes back.")]
    public static string RequestState(RequestContext<CallToolRequestParams> request) =>
        request.Params?.RequestState == "awaiting-confirm" && ClientInputs.Elicited(request.Params, "confirm") is { IsAccepted: true }
            ? "state-ok: requestState validated"
            : throw Ask(request, "awaiting-confirm", ("confirm", Confirm("Please confirm")));

    [McpServerTool(Name = "test_input_required_result_multiple_inputs", ReadOnly = true)]
    [Description("Asks for a name, a greeting from the client's model and the client's roots at once.")]
    public static string MultipleInputs(RequestContext<CallToolRequestParams> request)
    {
        var parameters = request.Params;
        if (parameters?.RequestState == "multiple" && Name(ClientInputs.Elicited(parameters, "user_name")) is { } name &&
            ClientInputs.Text(ClientInputs.Sampled(parameters, "greeting")) is { } greeting && ClientInputs.Roots(parameters, "client_roots") is { } roots)
        {
            return $"{greeting} {name}, with {roots.Roots.Count} root(s)";
        }

        throw Ask(request, "multiple",
            ("user_name", AskName("What is your name?")),
            ("greeting", Sample("Generate a greeting", 50)),
            ("client_roots", InputRequest.ForRootsList(new ListRootsRequestParams())));
    }

    [McpServerTool(Name = "test_input_required_result_multi_round", ReadOnly = true)]
    [Description("Asks a name, then a favourite colour, in two rounds, carrying the name in its request state.")]
    public static string MultiRound(RequestContext<CallToolRequestParams> request)
    {
        var parameters = request.Params;
        if (parameters?.RequestState is { } state && state.StartsWith("step2:", StringComparison.Ordinal) &&
            ClientInputs.Elicited(parameters, "step2") is { IsAccepted: true } colour && Field(colour, "color") is { } favourite)
        {
            return $"{state["step2:".Length..]} likes {favourite}";
        }

        if (parameters?.RequestState == "step1" && Name(ClientInputs.Elicited(parameters, "step1")) is { } name)
        {
            throw Ask(request, $"step2:{name}", ("step2", Elicit("Step 2: What is your favorite color?", "color")));
        }

        throw Ask(request, "step1", ("step1", AskName("Step 1: What is your name?")));
    }

    [McpServerTool(Name = "test_input_required_result_tampered_state", ReadOnly = true)]
    [Description("Asks for a confirmation with a request state; an altered state is refused before this tool runs.")]
    public static string TamperedState(RequestContext<CallToolRequestParams> request) =>
        request.Params?.RequestState == "untampered" && ClientInputs.Elicited(request.Params, "confirm") is { IsAccepted: true }
            ? "state intact"
            : throw Ask(request, "untampered", ("confirm", Confirm("Please confirm")));

    [McpServerTool(Name = "test_input_required_result_capabilities", ReadOnly = true)]
    [Description("Asks only through the capabilities the client declared on this request.")]
    public static string Capabilities(RequestContext<CallToolRequestParams> request)
    {
        var parameters = request.Params;
        if (parameters?.RequestState == "capabilities" && parameters.InputResponses is { Count: > 0 })
        {
            return "Answered through the declared capabilities";
        }

        var asks = new List<(string, InputRequest)>();
        if (ClientInputs.Has(request, ClientCapability.Elicitation))
        {
            asks.Add(("elicit_input", AskName("What is your name?")));
        }

        if (ClientInputs.Has(request, ClientCapability.Sampling))
        {
            asks.Add(("sample_input", Sample("Sample request", 50)));
        }

        if (ClientInputs.Has(request, ClientCapability.Roots))
        {
            asks.Add(("roots_input", InputRequest.ForRootsList(new ListRootsRequestParams())));
        }

        if (asks.Count == 0)
        {
            ClientInputs.Require(request, ClientCapability.Sampling, "This tool needs some way to ask the client.");
        }

        throw Ask(request, "capabilities", [.. asks]);
    }

    [McpServerTool(Name = "test_missing_capability", ReadOnly = true)]
    [Description("Needs the sampling capability; answers the revision's error without it.")]
    public static string MissingCapability(RequestContext<CallToolRequestParams> request)
    {
        ClientInputs.Require(request, ClientCapability.Sampling, "test_missing_capability needs sampling.");
        return "Success";
    }

    [McpServerTool(Name = "test_streaming_elicitation", ReadOnly = true)]
    [Description("Asks the user through an input-required result, never by a request on the response stream.")]
    public static string StreamingElicitation(RequestContext<CallToolRequestParams> request) =>
        ClientInputs.Elicited(request.Params, "answer") is { IsAccepted: true }
            ? "Thanks"
            : throw Ask(request, ("answer", Confirm("Ready?")));

    [McpServerTool(Name = "test_logging_tool", ReadOnly = true)]
    [Description("Logs a message, which reaches the client only when its request asked for a log level.")]
    public static async Task<string> Logging(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.JsonRpcRequest?.Context?.LogLevel is { } level && level <= LoggingLevel.Info)
        {
            await request.Server.SendNotificationAsync(
                NotificationMethods.LoggingMessageNotification,
                new LoggingMessageNotificationParams { Level = LoggingLevel.Info, Logger = "test_logging_tool", Data = JsonSerializer.SerializeToElement("Logged at info", (JsonTypeInfo<string>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))) },
                cancellationToken: cancellationToken);
        }

        return "Logged";
    }

    /// <summary>The accepted answer's <c>name</c>, when it is a non-empty string.</summary>
    private static string? Name(ElicitResult? answer) => answer is { IsAccepted: true } ? Field(answer, "name") : null;

    private static string? Field(ElicitResult answer, string field) =>
        answer.Content?.TryGetValue(field, out var value) == true && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static InputRequiredException Ask<TParams>(RequestContext<TParams> request, params (string Key, InputRequest Request)[] asks) => Ask(request, null, asks);

    private static InputRequiredException Ask<TParams>(RequestContext<TParams> request, string? state, params (string Key, InputRequest Request)[] asks)
    {
        foreach (var (_, ask) in asks)
        {
            ClientInputs.Require(request, ask.Method switch
            {
                RequestMethods.ElicitationCreate => ClientCapability.Elicitation,
                RequestMethods.SamplingCreateMessage => ClientCapability.Sampling,
                _ => ClientCapability.Roots,
            }, "This fixture asks the client for input.");
        }

        return new InputRequiredException(asks.ToDictionary(a => a.Key, a => a.Request), state);
    }

    internal static InputRequest AskName(string message) => Elicit(message, "name");

    private static InputRequest Elicit(string message, string field) => InputRequest.ForElicitation(new ElicitRequestParams
    {
        Message = message,
        RequestedSchema = new RequestSchema { Properties = { [field] = new StringSchema() }, Required = [field] },
    });

    private static InputRequest Confirm(string message) => InputRequest.ForElicitation(new ElicitRequestParams
    {
        Message = message,
        RequestedSchema = new RequestSchema { Properties = { ["ok"] = new BooleanSchema() }, Required = ["ok"] },
    });

    private static InputRequest Sample(string text, int maxTokens) => InputRequest.ForSampling(new CreateMessageRequestParams
    {
        Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = text }] }],
        MaxTokens = maxTokens,
    });
}
