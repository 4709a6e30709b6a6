using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Tools.Tests;

/// <summary>The tool set as an MCP client sees it: what it lists, and what its tools answer.</summary>
public sealed class ToolSetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListsItsTools_EachWithADescriptionAndAnInputSchema()
    {
        await using var server = await ToolSetServer.StartAsync(Ct);

        var tools = await server.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.Contains(tools, tool => tool.Name == "echo");
        Assert.Contains(tools, tool => tool.Name == "notes_put");
        Assert.All(tools, tool =>
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), $"{tool.Name} has no description");
            Assert.Equal("object", tool.JsonSchema.GetProperty("type").GetString());
        });
    }

    [Fact]
    public async Task Echo_ReturnsItsMessage()
    {
        await using var server = await ToolSetServer.StartAsync(Ct);

        var result = await server.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" }, cancellationToken: Ct);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hello", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task Add_RefusesAnOverflow_AsAToolError()
    {
        await using var server = await ToolSetServer.StartAsync(Ct);

        var sum = await server.Client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 40 }, cancellationToken: Ct);
        var overflow = await server.Client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = long.MaxValue, ["b"] = 1 }, cancellationToken: Ct);

        Assert.Equal("42", Assert.IsType<TextContentBlock>(Assert.Single(sum.Content)).Text);
        Assert.True(overflow.IsError);
    }

    [Fact]
    public async Task ANoteWritten_IsReadBack()
    {
        await using var server = await ToolSetServer.StartAsync(Ct);

        var put = await server.Client.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = "greeting", ["content"] = "hi" }, cancellationToken: Ct);
        var read = await server.Client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "greeting" }, cancellationToken: Ct);
        var missing = await server.Client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "farewell" }, cancellationToken: Ct);

        Assert.NotEqual(true, put.IsError);
        var note = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(read.Content)).Text).RootElement;
        Assert.Equal("hi", note.GetProperty("content").GetString());
        Assert.True(missing.IsError);
    }
}
