using System.ComponentModel;
using McpAspire.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost.Prompts;

/// <summary>prompts-get-simple, -with-args, -embedded-resource and -with-image, and the prompt of input-required-result-non-tool-request.</summary>
[McpServerPromptType]
public sealed class ConformancePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt")]
    [Description("A prompt without arguments.")]
    public static string SimplePrompt() => "This is a simple prompt for testing.";

    [McpServerPrompt(Name = "test_prompt_with_arguments")]
    [Description("A prompt that repeats its two arguments.")]
    public static string PromptWithArguments(
        [Description("First test argument")] string arg1,
        [Description("Second test argument")] string arg2) =>
        $"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'";

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource")]
    [Description("A prompt that embeds a text resource under the given URI.")]
    public static IEnumerable<PromptMessage> PromptWithEmbeddedResource(
        [Description("URI of the resource to embed")] string resourceUri) =>
    [
        new PromptMessage
        {
            Role = Role.User,
            Content = new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents { Uri = resourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." },
            },
        },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please process the embedded resource above." } },
    ];

    [McpServerPrompt(Name = "test_prompt_with_image")]
    [Description("A prompt that carries a 1x1 PNG.")]
    public static IEnumerable<PromptMessage> PromptWithImage() =>
    [
        new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(TestMedia.Png, TestMedia.PngMimeType) },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please analyze the image above." } },
    ];

    [McpServerPrompt(Name = "test_input_required_result_prompt")]
    [Description("A prompt that asks the user for its context first (input-required-result-non-tool-request).")]
    public static string PromptWithInput(RequestContext<GetPromptRequestParams> request)
    {
        if (ClientInputs.Elicited(request.Params, "user_context") is { IsAccepted: true } answer &&
            answer.Content?.TryGetValue("context", out var context) == true && context.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            return $"Prompt with context: {context.GetString()}";
        }

        ClientInputs.Require(request, ClientCapability.Elicitation, "This prompt asks the user for its context.");
        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                ["user_context"] = InputRequest.ForElicitation(new ElicitRequestParams
                {
                    Message = "What context should the prompt use?",
                    RequestedSchema = new() { Properties = { ["context"] = new ElicitRequestParams.StringSchema() }, Required = ["context"] },
                }),
            },
            requestState: null);
    }
}
