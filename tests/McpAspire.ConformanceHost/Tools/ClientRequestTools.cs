using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace McpAspire.ConformanceHost.Tools;

/// <summary>
/// Tools that send a request back to the client mid-call: tools-call-sampling, tools-call-elicitation,
/// elicitation-sep1034-defaults and elicitation-sep1330-enums.
/// </summary>
[McpServerToolType]
public sealed class ClientRequestTools
{
#pragma warning disable MCP9005 // Spec 2026-07-28 deprecates sampling; the 2025-06-18 and 2025-11-25 scenarios still test it.
    [McpServerTool(Name = "test_sampling", ReadOnly = true, OpenWorld = true)]
    [Description("Asks the client's model to complete the prompt (sampling/createMessage) and returns its answer.")]
    public static async Task<string> Sampling(
        McpServer server,
        [Description("The prompt to send to the model.")] string prompt,
        CancellationToken cancellationToken)
    {
        // A stateless server never sees initialize on the request it serves, so it cannot know the capability either.
        if (server.ClientCapabilities?.Sampling is null)
        {
            throw new McpException("Sampling needs a session whose client declared the sampling capability.");
        }

        var result = await server.SampleAsync(
            new CreateMessageRequestParams
            {
                Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
                MaxTokens = 100,
            },
            cancellationToken);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));
        return $"LLM response: {text}";
    }
#pragma warning restore MCP9005

    [McpServerTool(Name = "test_elicitation", ReadOnly = true, OpenWorld = true)]
    [Description("Asks the user for a username and email address (elicitation/create) and returns the answer.")]
    public static Task<string> Elicitation(
        McpServer server,
        [Description("The message to show the user.")] string message,
        CancellationToken cancellationToken) =>
        ElicitAsync(
            server,
            message,
            new RequestSchema
            {
                Properties =
                {
                    ["username"] = new StringSchema { Description = "User's response" },
                    ["email"] = new StringSchema { Description = "User's email address" },
                },
                Required = ["username", "email"],
            },
            cancellationToken);

    [McpServerTool(Name = "test_elicitation_sep1034_defaults", ReadOnly = true, OpenWorld = true)]
    [Description("Elicits one field of each primitive type, each with a default value (SEP-1034).")]
    public static Task<string> ElicitationWithDefaults(McpServer server, CancellationToken cancellationToken) =>
        ElicitAsync(
            server,
            "Test elicitation with default values for primitive types",
            new RequestSchema
            {
                Properties =
                {
                    ["name"] = new StringSchema { Description = "Name", Default = "John Doe" },
                    ["age"] = new NumberSchema { Type = "integer", Description = "Age", Default = 30 },
                    ["score"] = new NumberSchema { Description = "Score", Default = 95.5 },
                    ["status"] = new UntitledSingleSelectEnumSchema
                    {
                        Description = "Status",
                        Enum = ["active", "inactive", "pending"],
                        Default = "active",
                    },
                    ["verified"] = new BooleanSchema { Description = "Verified", Default = true },
                },
            },
            cancellationToken);

    [McpServerTool(Name = "test_elicitation_sep1330_enums", ReadOnly = true, OpenWorld = true)]
    [Description("Elicits one field of each enum schema shape: single and multi select, titled and untitled, and legacy enumNames (SEP-1330).")]
    public static Task<string> ElicitationWithEnums(McpServer server, CancellationToken cancellationToken) =>
        ElicitAsync(
            server,
            "Test elicitation with enum schemas",
            new RequestSchema
            {
                Properties =
                {
                    ["untitledSingle"] = new UntitledSingleSelectEnumSchema
                    {
                        Description = "Choose an option",
                        Enum = ["option1", "option2", "option3"],
                    },
                    ["titledSingle"] = new TitledSingleSelectEnumSchema
                    {
                        Description = "Choose a titled option",
                        OneOf = [Option("value1", "First Option"), Option("value2", "Second Option"), Option("value3", "Third Option")],
                    },
#pragma warning disable MCP9001 // enumNames is deprecated, and the scenario checks that it is still sent as written.
                    ["legacyEnum"] = new LegacyTitledEnumSchema
                    {
                        Description = "Choose a legacy option",
                        Enum = ["opt1", "opt2", "opt3"],
                        EnumNames = ["Option One", "Option Two", "Option Three"],
                    },
#pragma warning restore MCP9001
                    ["untitledMulti"] = new UntitledMultiSelectEnumSchema
                    {
                        Description = "Choose options",
                        Items = new UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] },
                    },
                    ["titledMulti"] = new TitledMultiSelectEnumSchema
                    {
                        Description = "Choose titled options",
                        Items = new TitledEnumItemsSchema
                        {
                            AnyOf = [Option("value1", "First Choice"), Option("value2", "Second Choice"), Option("value3", "Third Choice")],
                        },
                    },
                },
            },
            cancellationToken);

    private static EnumSchemaOption Option(string value, string title) => new() { Const = value, Title = title };

    private static async Task<string> ElicitAsync(McpServer server, string message, RequestSchema schema, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            throw new McpException("Elicitation needs a session whose client declared the elicitation capability.");
        }

        var result = await server.ElicitAsync(new ElicitRequestParams { Message = message, RequestedSchema = schema }, cancellationToken);
        var content = result.Content is null
            ? "{}"
            : JsonSerializer.Serialize(result.Content, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, JsonElement>)));
        return $"Elicitation completed: action={result.Action}, content={content}";
    }
}
