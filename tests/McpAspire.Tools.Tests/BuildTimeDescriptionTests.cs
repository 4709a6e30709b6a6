using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;
using McpAspire.Tools.Prompts;
using McpAspire.Tools.Resources;
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

        Assert.Equal(16 + 1 + 1, expected.Count);
        Assert.Equal(expected.Select(tool => tool.Key), actual.Select(tool => tool.Key));
        foreach (var ((name, json), (_, generated)) in expected.Zip(actual))
        {
            Assert.True(json == generated, $"{name}\nexpected {json}\nactual   {generated}");
        }

        Assert.All(described.Primitives, primitive => Assert.True(IsGenerated(primitive), $"{primitive.Id} is not generated"));
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
            ("notes_put", new() { ["name"] = "groceries", ["content"] = "milk" }),
            ("notes_get", new() { ["name"] = "groceries" }),
            ("notes_get", new() { ["name"] = "missing" }),
            ("notes_list", new()),
            ("whoami", new()),
            ("long_running", new() { ["steps"] = 1, ["delayMs"] = 0 }),
            ("rate_limit_status", new() { ["tool"] = "echo" }),
            ("notes_delete", new() { ["name"] = "missing" }),
        ];

        foreach (var (tool, arguments) in calls)
        {
            var expected = await sdk.Client.CallToolAsync(tool, arguments, cancellationToken: Ct);
            var actual = await described.Client.CallToolAsync(tool, arguments, cancellationToken: Ct);
            Assert.Equal(Json(expected), Json(actual));
        }

        var prompt = new Dictionary<string, object?> { ["focus"] = "food" };
        Assert.Equal(
            Json(await sdk.Client.GetPromptAsync("summarize_notes", prompt, cancellationToken: Ct)),
            Json(await described.Client.GetPromptAsync("summarize_notes", prompt, cancellationToken: Ct)));
        Assert.Equal(
            Json(await sdk.Client.ReadResourceAsync("note://groceries", cancellationToken: Ct)),
            Json(await described.Client.ReadResourceAsync("note://groceries", cancellationToken: Ct)));
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
        server.Services
            .AddSingleton<TimeProvider>(new FixedTime())
            .AddSingleton<INoteStore>(sp => new InMemoryNoteStore(sp.GetRequiredService<TimeProvider>()))
            .AddSingleton<IMcpCallerAccessor, FixedCaller>()
            .AddSingleton<IRateLimitStatusProvider, Unlimited>();
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
        if (buildTime)
        {
            server.WithMcpAspirePrompts<NotesPrompts>(ToolsJson.Options).WithMcpAspireResources<NoteResources>();
        }
        else
        {
            server.WithPrompts<NotesPrompts>(ToolsJson.Options).WithResources<NoteResources>();
        }

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

    /// <summary>Whether the SDK's primitive wraps the generated function (its <c>AIFunction</c>, internal to the SDK, is not the reflection one).</summary>
    private static bool IsGenerated(IMcpServerPrimitive primitive) =>
        primitive.GetType().GetProperty("AIFunction", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)?.GetValue(primitive)?.GetType().Name == "GeneratedAIFunction";

    /// <summary>Every tool, prompt and resource template the server lists, in its order, as JSON.</summary>
    private static async Task<List<KeyValuePair<string, string>>> ListAsync(InMemoryServer server) =>
    [
        .. (await server.Client.ListToolsAsync(cancellationToken: Ct)).Select(tool => KeyValuePair.Create("tool " + tool.Name, Json(tool.ProtocolTool))),
        .. (await server.Client.ListPromptsAsync(cancellationToken: Ct)).Select(prompt => KeyValuePair.Create("prompt " + prompt.Name, Json(prompt.ProtocolPrompt))),
        .. (await server.Client.ListResourceTemplatesAsync(cancellationToken: Ct)).Select(template => KeyValuePair.Create("template " + template.Name, Json(template.ProtocolResourceTemplate))),
    ];

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
}

/// <summary>The same clock on both servers, so a stored note's time is the same in both answers.</summary>
internal sealed class FixedTime : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 12, 7, 21, 0, 0, TimeSpan.Zero);
}

/// <summary>One caller for every call, as a host's accessor would report it.</summary>
internal sealed class FixedCaller : IMcpCallerAccessor
{
    public McpCaller GetCaller(McpServer server, System.Security.Claims.ClaimsPrincipal? user) => new("alice", McpTransports.Stdio, null, "test", server.NegotiatedProtocolVersion, null);
}

/// <summary>No limiter: every tool unlimited.</summary>
internal sealed class Unlimited : IRateLimitStatusProvider
{
    public ValueTask<RateLimitStatus> GetStatusAsync(string principal, string tool, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RateLimitStatus(tool, false, null, null, null, "none"));
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
