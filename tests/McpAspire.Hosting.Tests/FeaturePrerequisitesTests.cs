using McpAspire.Abstractions;
using McpAspire.Hosting.RateLimiting;
using McpAspire.Hosting.Tasks;
using McpAspire.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Tests;

/// <summary>
/// A host is composed by calls in Program.cs, and one of them decides where the state lives (<c>AddMcpAspireState</c>).
/// A host without it is refused as Program.cs composes it, and a feature on the wrong transport stops the host at start,
/// each with a line naming what to do; a host with it serves every
/// feature from the one backend decided, here this process's memory.
/// </summary>
public sealed class FeaturePrerequisitesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AServerWithoutAddMcpAspireState_IsRefusedAsItIsComposed_NamingTheCall()
    {
        var builder = Host.CreateApplicationBuilder();

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddMcpAspireServer<McpAspireToolSet>());

        Assert.Equal(
            "AddMcpAspireServer needs builder.AddMcpAspireState(\"cache\") before it: that call decides where sessions, tasks, rate limits and request state live (Redis by connection string, else this process's memory).",
            refused.Message);
    }

    [Fact]
    public async Task ScaleOutOnTheStatelessTransport_StopsAtStart_NamingTheTransportItIsFor()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // A Redis nobody answers on: scale-out needs one named, and the host stops before using it.
        builder.Configuration["ConnectionStrings:cache"] = "127.0.0.1:1";
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(McpHttpMode.Stateless).WithMcpAspireScaleOut();
        await using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.StartsWith("WithMcpAspireScaleOut is for the stateful HTTP transport", Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTheStateInThisProcess_EveryFeatureStarts_OnItsInProcessStore()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMcpAspireState();
        builder.AddMcpAspireServer<McpAspireToolSet>()
            .WithMcpAspireTasks()
            .WithMcpAspireListenStreams()
            .WithMcpAspireResourceSubscriptions()
            .WithMcpAspireRateLimiting()
            .WithMcpAspireSessionRecording();
        using var host = builder.Build();

        await host.StartAsync(Ct);
        try
        {
            Assert.IsType<InMemoryTaskStore>(host.Services.GetRequiredService<ITaskStore>());
            Assert.False(host.Services.GetRequiredService<McpAspire.State.McpAspireStateBackend>().IsShared);
            Assert.IsType<McpRateLimiter>(host.Services.GetRequiredService<IRateLimitStatusProvider>());
            Assert.True((await host.Services.GetRequiredService<McpRateLimiter>().AcquireAsync("alice", "echo", Ct)).Allowed);
        }
        finally
        {
            await host.StopAsync(Ct);
        }
    }
}
