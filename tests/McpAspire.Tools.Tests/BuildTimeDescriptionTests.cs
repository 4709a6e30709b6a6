using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>
/// A tool set added with <c>WithMcpAspireTools</c> is listed from McpAspire.Generators' build-time descriptions, and
/// a client cannot tell it from the SDK's own <c>WithTools</c>: the same tools, byte for byte, at both protocol eras,
/// and the same answers to calls.
/// </summary>
public sealed class BuildTimeDescriptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task EveryTool_IsListedAsTheSdkListsIt(string protocolVersion)
    {
        await using var sdk = await InMemoryServer.StartAsync(server => AddTools(server, buildTime: false), protocolVersion, Ct);
        await using var described = await InMemoryServer.StartAsync(server => AddTools(server, buildTime: true), protocolVersion, Ct);

        var expected = await ListAsync(sdk);
        var actual = await ListAsync(described);

        Assert.Equal(16, expected.Count);
        Assert.Equal(expected.Select(tool => tool.Key), actual.Select(tool => tool.Key));
        foreach (var (name, tool) in expected)
        {
            Assert.True(tool == actual[name], $"{name}\nexpected {tool}\nactual   {actual[name]}");
        }

        Assert.All(described.Tools, tool => Assert.True(IsGenerated(tool), $"{tool.ProtocolTool.Name} is not generated"));
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task ACall_IsAnsweredAsTheSdkAnswersIt(string protocolVersion)
    {
        await using var sdk = await InMemoryServer.StartAsync(server => AddTools(server, buildTime: false), protocolVersion, Ct);
        await using var described = await InMemoryServer.StartAsync(server => AddTools(server, buildTime: true), protocolVersion, Ct);
        (string Tool, Dictionary<string, object?> Arguments)[] calls =
        [
            ("echo", new() { ["message"] = "hello" }),
            ("add", new() { ["a"] = 2, ["b"] = 40 }),
            ("add", new() { ["a"] = long.MaxValue, ["b"] = 1 }),
            ("shapes", new()
            {
                ["count"] = 3, ["ratio"] = 0.25, ["flag"] = true, ["big"] = 1L << 40, ["when"] = "2026-12-07T21:00:00+00:00",
                ["local"] = "2026-12-07T21:00:00", ["id"] = Guid.Empty, ["link"] = "https://example.com/", ["numbers"] = new[] { 1, 2 },
                ["names"] = new[] { "a" }, ["maybeNames"] = new[] { "b", null }, ["record"] = new { name = "r", size = 2, times = Array.Empty<string>() },
                ["note"] = "n", ["mode"] = "slow",
            }),
            ("get_shaped_result", new() { ["title"] = "t" }),
        ];

        foreach (var (tool, arguments) in calls)
        {
            var expected = await sdk.Client.CallToolAsync(tool, arguments, cancellationToken: Ct);
            var actual = await described.Client.CallToolAsync(tool, arguments, cancellationToken: Ct);
            Assert.Equal(Json(expected), Json(actual));
        }
    }

    [Fact]
    public void AToolTheGeneratorCannotDescribe_IsBuiltByTheSdkAtStart()
    {
        var collection = new ServiceCollection();
        collection.AddMcpServer().WithMcpAspireTools<ToolWithAnUnknownResult>().WithMcpAspireTools<ToolBeyondTheGenerator>();
        using var services = collection.BuildServiceProvider();

        var tools = services.GetServices<McpServerTool>().ToDictionary(tool => tool.ProtocolTool.Name, IsGenerated);

        Assert.True(tools["unknown_result"]);
        Assert.False(tools["with_a_dictionary"]);
        Assert.False(tools["with_an_optional_record"]);
    }

    private static void AddTools(IMcpServerBuilder server, bool buildTime)
    {
        Add<EchoTools>();
        Add<NotesTools>();
        Add<NotesClientTools>();
        Add<ClientRootsTool>();
        Add<WhoAmITool>();
        Add<LongRunningTool>();
        Add<RateLimitStatusTool>();
        Add<ReadFileTool>();
        Add<ShapesTools>();
        Add<ToolWithAnUnknownResult>();

        void Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>()
        {
            if (buildTime)
            {
                server.WithMcpAspireTools<T>(ToolsJson.Options);
            }
            else
            {
                server.WithTools<T>(ToolsJson.Options);
            }
        }
    }

    /// <summary>Whether the SDK's tool wraps the generated function (its <c>AIFunction</c>, internal to the SDK, is not the reflection one).</summary>
    private static bool IsGenerated(McpServerTool tool) =>
        tool.GetType().GetProperty("AIFunction", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)?.GetValue(tool)?.GetType().Name == "GeneratedAIFunction";

    private static async Task<Dictionary<string, string>> ListAsync(InMemoryServer server) =>
        (await server.Client.ListToolsAsync(cancellationToken: Ct)).ToDictionary(tool => tool.Name, tool => Json(tool.ProtocolTool));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
}

/// <summary>Tools taking shapes the generator does not describe: a dictionary, a nullable record.</summary>
[McpServerToolType]
public sealed class ToolBeyondTheGenerator
{
    [McpServerTool(Name = "with_a_dictionary")]
    public static int Count(Dictionary<string, int> values) => values.Count;

    [McpServerTool(Name = "with_an_optional_record")]
    public static string? Name(ShapeRecord? record = null) => record?.Name;
}
