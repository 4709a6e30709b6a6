using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.AppHost.Tests;

/// <summary>The whole deployment as <c>dotnet run --project McpAspire.AppHost</c> starts it, driven by Aspire.Hosting.Testing.</summary>
public sealed class AppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task EveryRemoteHost_AnswersAnMcpClient_WithTheAppHostsApiKey()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        var ct = timeout.Token;

        // The embedded Garnet cache, so the test needs no container runtime.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.McpAspire_AppHost>(["McpAspire:Cache=garnet"], ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        var key = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == "mcp-api-key").GetValueAsync(ct);

        foreach (var (resource, path) in new[] { ("http-worker", "/mcp"), ("sse-frontend", "/mcp") })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct);
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(app.GetEndpoint(resource, "http"), path),
                AdditionalHeaders = new Dictionary<string, string> { ["X-API-Key"] = key! },
            }), cancellationToken: ct);

            var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = resource }, cancellationToken: ct);

            Assert.Equal(resource, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        }
    }
}
