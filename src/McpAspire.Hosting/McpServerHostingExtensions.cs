using System.Reflection;
using McpAspire.Abstractions;
using McpAspire.Hosting;
using McpAspire.Hosting.Changes;
using McpAspire.Hosting.RequestState;
using McpAspire.Hosting.Sessions;
using McpAspire.Hosting.Stdio;
using McpAspire.Hosting.Tasks;
using McpAspire.Hosting.Telemetry;
using McpAspire.Hosting.Validation;
using McpAspire.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.Hosting;

/// <summary>The MCP server of an McpAspire host: its tool set, and the features every transport shares.</summary>
public static class McpServerHostingExtensions
{
    /// <summary>
    /// Adds the MCP server a McpAspire host runs: the tool set <typeparamref name="TToolSet"/> (its name, instructions,
    /// tools, prompts and resources) and what every tool set gets: arguments and params checked before any handler runs,
    /// multi round-trip request state sealed, the primitive collections built once, and the stores of every feature on
    /// the backend <c>AddMcpAspireState</c> decided (called before this; without it this throws, naming it). The caller
    /// adds the transport and the other features, each by its own call.
    /// </summary>
    public static IMcpServerBuilder AddMcpAspireServer<TToolSet>(this IHostApplicationBuilder builder) where TToolSet : IMcpToolSet
    {
        // The SDK logs three Information lines per request (handler called, tool completed, handler completed); traces
        // carry the same facts, and on stdio every line is a write to stderr. A default only: configuring the category wins.
        if (builder.Configuration[$"Logging:LogLevel:{SdkServerLogCategory}"] is null)
        {
            builder.Logging.AddFilter(SdkServerLogCategory, LogLevel.Warning);
        }

        var services = builder.Services;
        // What the client did is not logged as a fault of ours (OperatorLogLevels): the host's logger factory, wrapped.
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new OperatorLogLevels(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(), sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(), sp.GetService<IExternalScopeProvider>()))));
        services.AddOptions<McpAspireOptions>().BindConfiguration(McpAspireOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAspireOptions>, McpAspireOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<McpAspireFeatures>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpAspireFeatures>, McpAspireFeaturesValidator>());
        // The host builds its hosted services before its start-up validation runs: the features are checked first of
        // all, so a missing prerequisite stops the host with its message, not with a service that could not be built.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, McpAspireFeaturesCheck>());
        McpStateServices.Add(services);
        // The default an HTTP transport replaces with its own (registered before or after this call).
        services.TryAddSingleton<IMcpCallerAccessor, LocalCallerAccessor>();
        // First of all the McpServerOptions setups, so the SDK's own finds the collections built (see the class).
        services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, SharedPrimitiveCollections>());

        var server = services.AddMcpServer(options =>
        {
            options.ServerInfo = new Implementation { Name = TToolSet.Name, Title = TToolSet.Name, Version = ServerVersion };
            options.ServerInstructions = TToolSet.Instructions;
        });
        TToolSet.AddTo(server);
        return server
            .WithRequestFilters(filters => filters
                .AddCallToolFilter(ToolArgumentValidator.Filter)
                .AddGetPromptFilter(PromptArgumentValidator.Filter))
            .WithMessageFilters(filters => filters.AddIncomingFilter(RequestParamsValidator.Filter))
            .WithMcpAspireSealedRequestState();
    }

    /// <summary>
    /// The tasks extension (<c>io.modelcontextprotocol/tasks</c>): a call of a tool marked <see cref="McpTaskAttribute"/>
    /// from a client that declared the extension runs as a task, followed with <c>tasks/get</c>, <c>tasks/update</c> and
    /// <c>tasks/cancel</c> on any replica; the records are in the task store (Redis where <c>AddMcpAspireState</c> has
    /// it). Without this call such a tool runs as a plain call.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireTasks(this IMcpServerBuilder builder)
    {
        var services = builder.Services;
        if (!services.Any(service => service.ServiceType == typeof(TaskRunner)))
        {
            services.AddSingleton<TaskRunner>();
            services.AddHostedService(sp => sp.GetRequiredService<TaskRunner>());
            services.Configure<McpServerOptions>(McpTasks.Configure);
        }

        return builder;
    }

    /// <summary>
    /// <c>subscriptions/listen</c> (2026-07-28): a client's stream hears the changes of its own resources published on
    /// any replica (the change feed of <c>AddMcpAspireState</c>), at most <c>McpAspire:MaxListenStreamsPerPrincipal</c>
    /// streams per principal and replica. Without this call the method is unknown (-32601).
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireListenStreams(this IMcpServerBuilder builder)
    {
        builder.Services.TryAddSingleton<ListenStreams>();
        builder.Services.Configure<McpServerOptions>(options => options.Handlers.SubscriptionsListenHandler = ChangeListenHandler.ListenAsync);
        return builder;
    }

    /// <summary>
    /// <c>resources/subscribe</c> and <c>resources/unsubscribe</c> of 2025-era sessions (stdio, stateful HTTP), fed by the
    /// same change feed as the listen streams. A stateless host has no session to send on, and refuses a subscription.
    /// Without this call the server does not offer subscriptions.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireResourceSubscriptions(this IMcpServerBuilder builder)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(ResourceSubscriptions)))
        {
            return builder;
        }

        builder.Services.AddSingleton<ResourceSubscriptions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ResourceSubscriptions>());
        return builder
            .WithSubscribeToResourcesHandler(ResourceSubscriptions.SubscribeAsync)
            .WithUnsubscribeFromResourcesHandler(ResourceSubscriptions.UnsubscribeAsync);
    }

    /// <summary>
    /// Serves the MCP server on stdin/stdout, as the SDK's stdio transport does, with what a sidecar needs beside it:
    /// request ids checked per session, and the process stopped (calls in flight cancelled) once the client closes stdin.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireStdioTransport(this IMcpServerBuilder builder)
    {
        builder.Services.Configure<McpAspireFeatures>(features => features.Transport = McpAspireTransport.Stdio);
        builder.Services.AddHostedService<StdinClosedWatcher>();
        return builder.WithStdioServerTransport().WithRequestIdGuard();
    }

    /// <summary>
    /// Seals the <c>requestState</c> of multi round-trip requests (tools and prompts): encrypted, bound to the caller, the
    /// request and its arguments, expiring (<c>McpAspire:State:RequestStateLifetime</c>) and accepted once; on a shared
    /// state, keys and single-use markers are shared by every replica. Part of every server (<see cref="AddMcpAspireServer"/>).
    /// </summary>
    internal static IMcpServerBuilder WithMcpAspireSealedRequestState(this IMcpServerBuilder builder)
    {
        McpStateServices.Add(builder.Services);
        return builder.WithRequestFilters(filters => filters
            .AddCallToolFilter(SealedRequestStateFilter.CallTool)
            .AddGetPromptFilter(SealedRequestStateFilter.GetPrompt));
    }

    /// <summary>
    /// Records sessions in the shared store on every request (any transport), for whoami, the dashboard and replicas
    /// adopting them, where <c>AddMcpAspireState</c> has Redis; where the state is this process's own, nobody else would
    /// read them, and nothing is recorded.
    /// </summary>
    public static IMcpServerBuilder WithMcpAspireSessionRecording(this IMcpServerBuilder builder)
    {
        return builder.WithMessageFilters(filters => filters.AddIncomingFilter(SessionRecorder.Filter));
    }

    /// <summary>
    /// Refuses a request whose id is taken by one still in progress on its session (<see cref="RequestIdGuard"/>). For
    /// transports whose requests share a session: stdio and stateful HTTP.
    /// </summary>
    internal static IMcpServerBuilder WithRequestIdGuard(this IMcpServerBuilder builder) =>
        builder.WithMessageFilters(filters => filters.AddIncomingFilter(RequestIdGuard.Incoming).AddOutgoingFilter(RequestIdGuard.Outgoing));

    /// <summary>The SDK's per-request log category.</summary>
    private const string SdkServerLogCategory = "ModelContextProtocol.Server.McpServer";

    private static string ServerVersion { get; } =
        typeof(McpServerHostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
