using McpAspire.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// Every server options instance (a stateless HTTP host makes one per request) gets the tool, prompt and resource
/// collections built once, whole, instead of new ones the SDK fills for each.
/// </summary>
public sealed class SharedPrimitiveCollectionsTests
{
    [Fact]
    public void EveryServerOptions_SharesTheCollections_HoldingEveryPrimitive()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMcpAspireState();
        // A tool registered after the tool set, as a host adds its own, is in the shared collection too.
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireLocalFiles();
        using var provider = builder.Services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IOptionsFactory<McpServerOptions>>();

        var first = factory.Create(Options.DefaultName);
        var second = factory.Create(Options.DefaultName);

        Assert.Same(first.ToolCollection, second.ToolCollection);
        Assert.Same(first.PromptCollection, second.PromptCollection);
        Assert.Same(first.ResourceCollection, second.ResourceCollection);
        var registered = provider.GetServices<McpServerTool>().Select(t => t.ProtocolTool.Name).Order(StringComparer.Ordinal);
        Assert.Equal(registered, first.ToolCollection!.Select(t => t.ProtocolTool.Name).Order(StringComparer.Ordinal));
        Assert.Contains("read_file", registered);
        Assert.Equal(provider.GetServices<McpServerPrompt>().Count(), first.PromptCollection!.Count);
        Assert.Equal(provider.GetServices<McpServerResource>().Count(), first.ResourceCollection!.Count);
    }
}
