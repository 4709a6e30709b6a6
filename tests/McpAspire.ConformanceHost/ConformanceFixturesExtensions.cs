using McpAspire.ConformanceHost;
using McpAspire.ConformanceHost.Prompts;
using McpAspire.ConformanceHost.Resources;
using McpAspire.ConformanceHost.Tools;

namespace Microsoft.Extensions.DependencyInjection;

public static class ConformanceFixturesExtensions
{
    /// <summary>
    /// Adds, next to the product's own primitives, the tools, resources, prompts and handlers that the
    /// <c>@modelcontextprotocol/conformance</c> server scenarios call by name.
    /// </summary>
    public static IMcpServerBuilder WithConformanceFixtures(this IMcpServerBuilder builder)
    {
        return builder
            .WithTools<ContentTools>()
            .WithTools<NotificationTools>()
            .WithTools<TaskTools>()
            .WithTools<ClientRequestTools>()
            .WithTools<InputRequiredTools>()
            .WithTools([JsonSchema202012Tool.Create()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>()
            .WithCompleteHandler(ConformanceCompletions.CompleteAsync);
    }
}
