using McpAspire.Abstractions;
using McpAspire.State;
using McpAspire.Tools.Notes;
using McpAspire.Tools.Prompts;
using McpAspire.Tools.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpAspire.Tools;

/// <summary>
/// The sample tool set every McpAspire host serves: to add a tool, write its class in this project and add one
/// <c>WithMcpAspireTools</c> line below (and, if it returns a new type, that type to <see cref="ToolsJsonContext"/>).
/// </summary>
public sealed class McpAspireToolSet : IMcpToolSet
{
    public static string Name => "McpAspire";

    public static string Instructions =>
        "Notes, echo and diagnostics tools served alike over stdio, SSE and Streamable HTTP. " +
        "Notes written on one transport are read back on any other by the same principal.";

    public static void AddTo(IMcpServerBuilder server)
    {
        var services = server.Services;
        services.AddOptions<NotesOptions>().BindConfiguration(NotesOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotesOptions>, NotesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // In the deployment's Redis where it has one (AddMcpAspireState with a connection string), else in this process.
        // Every stored change is told to the change feed, so subscribed clients on any replica hear of it.
        services.TryAddSingleton(sp => new NoteChanges(sp.GetService<IChangeFeed>()));
        services.TryAddSingleton<INoteStore>(sp => sp.GetService<McpAspireStateBackend>()?.IsShared == true
            ? new RedisNoteStore(sp.GetRequiredService<SharedRedis>(), sp.GetRequiredService<IOptions<NotesOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<NoteChanges>())
            : new InMemoryNoteStore(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<NoteChanges>()));

        server
            .WithMcpAspireTools<EchoTools>(ToolsJson.Options)
            .WithMcpAspireTools<NotesTools>(ToolsJson.Options)
            .WithMcpAspireTools<NotesClientTools>(ToolsJson.Options)
            .WithMcpAspireTools<ClientRootsTool>(ToolsJson.Options)
            .WithMcpAspireTools<WhoAmITool>(ToolsJson.Options)
            .WithMcpAspireTools<LongRunningTool>(ToolsJson.Options)
            .WithMcpAspireTools<RateLimitStatusTool>(ToolsJson.Options)
            .WithMcpAspirePrompts<NotesPrompts>(ToolsJson.Options)
            .WithMcpAspireResources<NoteResources>()
            .WithListResourcesHandler(NoteResources.ListAsync);
    }
}
