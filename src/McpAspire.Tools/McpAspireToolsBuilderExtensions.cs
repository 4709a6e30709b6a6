using McpAspire.Tools;
using McpAspire.Tools.Files;
using McpAspire.Tools.Notes;
using McpAspire.Tools.Prompts;
using McpAspire.Tools.RateLimits;
using McpAspire.Tools.Resources;
using McpAspire.Tools.Tools;
using McpAspire.Tools.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.DependencyInjection;

public static class McpAspireToolsBuilderExtensions
{
    /// <summary>
    /// Adds the McpAspire tools, prompt and note resources that every transport serves, with argument validation.
    /// State defaults to process memory; a host that registers its own <see cref="INoteStore"/>,
    /// <see cref="IRateLimitStatusProvider"/> or <see cref="IMcpCallerAccessor"/> (before or after) keeps its own.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireTools(this IMcpServerBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpAspireToolsOptions>()
            .BindConfiguration(McpAspireToolsOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAspireToolsOptions>, McpAspireToolsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<INoteStore, InMemoryNoteStore>();
        services.TryAddSingleton<IRateLimitStatusProvider, NoRateLimitStatusProvider>();
        services.TryAddSingleton<IMcpCallerAccessor, LocalCallerAccessor>();
        // First of all the McpServerOptions setups, so the SDK's own finds the collections built (see the class).
        if (!services.Any(d => d.ImplementationType == typeof(SharedPrimitiveCollections)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, SharedPrimitiveCollections>());
        }

        return builder
            .WithTools<EchoTools>(ToolsJson.Options)
            .WithTools<NotesTools>(ToolsJson.Options)
            .WithTools<NotesClientTools>(ToolsJson.Options)
            .WithTools<ClientRootsTool>(ToolsJson.Options)
            .WithTools<WhoAmITool>(ToolsJson.Options)
            .WithTools<LongRunningTool>(ToolsJson.Options)
            .WithTools<RateLimitStatusTool>(ToolsJson.Options)
            .WithPrompts<NotesPrompts>(ToolsJson.Options)
            .WithResources<NoteResources>()
            .WithListResourcesHandler(NoteResources.ListAsync)
            .WithRequestFilters(filters => filters
                .AddCallToolFilter(ToolArgumentValidator.Filter)
                .AddGetPromptFilter(PromptArgumentValidator.Filter))
            .WithMessageFilters(filters => filters.AddIncomingFilter(RequestParamsValidator.Filter));
    }

    /// <summary>
    /// Refuses a request whose id is taken by one still in progress on its session (<see cref="RequestIdGuard"/>). For
    /// transports whose requests share a session: stdio and stateful HTTP.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireRequestIdGuard(this IMcpServerBuilder builder) =>
        builder.WithMessageFilters(filters => filters.AddIncomingFilter(RequestIdGuard.Incoming).AddOutgoingFilter(RequestIdGuard.Outgoing));

    /// <summary>Adds <c>read_file</c> over the roots in <c>McpAspire:Files:Roots</c>. For the local (stdio) host only.</summary>
    public static IMcpServerBuilder WithMcpAspireLocalFiles(this IMcpServerBuilder builder)
    {
        builder.Services.AddOptions<FileRootsOptions>().BindConfiguration(FileRootsOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileRootsOptions>, FileRootsOptionsValidator>());
        builder.Services.TryAddSingleton<FileRootGuard>();
        return builder.WithTools<ReadFileTool>(ToolsJson.Options);
    }
}
