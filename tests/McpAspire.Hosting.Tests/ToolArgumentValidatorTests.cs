using System.Text.Json;
using McpAspire.Hosting.Validation;
using McpAspire.Tools;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Tests;

public sealed class ToolArgumentValidatorTests
{
    private static readonly McpServerTool Add = McpServerTool.Create(typeof(EchoTools).GetMethod(nameof(EchoTools.Add))!);
    private static readonly McpServerTool Echo = McpServerTool.Create(typeof(EchoTools).GetMethod(nameof(EchoTools.Echo))!);

    private static Dictionary<string, JsonElement> Args(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void Validate_ArgumentsMatchingTheSchema_ReturnsNull() =>
        Assert.Null(ToolArgumentValidator.Validate(Add, Args("""{"a": 1, "b": 2}""")));

    [Fact]
    public void Validate_WrongType_NamesTheArgumentAndTheExpectedType()
    {
        var error = ToolArgumentValidator.Validate(Add, Args("""{"a": "one", "b": 2}"""));

        Assert.NotNull(error);
        Assert.StartsWith("Invalid arguments for tool 'add':", error, StringComparison.Ordinal);
        Assert.Contains("argument 'a'", error, StringComparison.Ordinal);
        Assert.Contains("integer", error, StringComparison.Ordinal);
        Assert.DoesNotContain("argument 'b'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingRequiredArgument_NamesIt()
    {
        var error = ToolArgumentValidator.Validate(Echo, null);

        Assert.NotNull(error);
        Assert.Contains("\"message\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FractionForAnInteger_IsRefused() =>
        Assert.NotNull(ToolArgumentValidator.Validate(Add, Args("""{"a": 1.5, "b": 2}""")));
}
