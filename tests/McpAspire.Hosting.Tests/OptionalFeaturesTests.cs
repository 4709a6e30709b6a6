using McpAspire.Hosting.Tasks;
using McpAspire.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

// The tasks extension's methods are custom request handlers, which the SDK marks experimental; this reads them.
#pragma warning disable MCPEXP002

namespace McpAspire.Hosting.Tests;

/// <summary>
/// The protocol's optional features are each a call in Program.cs: without it the server does not offer the feature
/// (no tasks extension, no listen handler, no subscription handlers), with it the server does; calling one twice adds
/// it once.
/// </summary>
public sealed class OptionalFeaturesTests
{
    [Fact]
    public void WithoutTheirCalls_TasksListenStreamsAndSubscriptionsAreNotOffered()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>();

        var options = Options(builder);

        Assert.False(options.Capabilities?.Extensions?.ContainsKey(McpTasks.ExtensionId) ?? false);
        Assert.DoesNotContain(options.RequestHandlers ?? [], handler => handler.Method.StartsWith("tasks/", StringComparison.Ordinal));
        Assert.Null(options.Handlers.SubscriptionsListenHandler);
        Assert.Null(options.Handlers.SubscribeToResourcesHandler);
        Assert.Null(options.Handlers.UnsubscribeFromResourcesHandler);
    }

    [Fact]
    public void WithTheirCalls_EachIsOffered_Once()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>()
            .WithMcpAspireTasks().WithMcpAspireTasks()
            .WithMcpAspireListenStreams()
            .WithMcpAspireResourceSubscriptions().WithMcpAspireResourceSubscriptions();

        var options = Options(builder);

        Assert.True(options.Capabilities?.Extensions?.ContainsKey(McpTasks.ExtensionId));
        Assert.Equal(["tasks/cancel", "tasks/get", "tasks/update"], options.RequestHandlers!.Select(handler => handler.Method).Order(StringComparer.Ordinal));
        Assert.NotNull(options.Handlers.SubscriptionsListenHandler);
        Assert.NotNull(options.Handlers.SubscribeToResourcesHandler);
        Assert.NotNull(options.Handlers.UnsubscribeFromResourcesHandler);
        Assert.Single(builder.Services, service => service.ServiceType == typeof(TaskRunner));
        Assert.Single(builder.Services, service => service.ServiceType == typeof(Changes.ResourceSubscriptions));
    }

    private static McpServerOptions Options(HostApplicationBuilder builder)
    {
        using var provider = builder.Services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsFactory<McpServerOptions>>().Create(Microsoft.Extensions.Options.Options.DefaultName);
    }
}
