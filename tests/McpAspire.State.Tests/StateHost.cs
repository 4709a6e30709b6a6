using McpAspire.Hosting.RateLimiting;
using McpAspire.Hosting.RequestState;
using McpAspire.Hosting.Sessions;
using McpAspire.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace McpAspire.State.Tests;

/// <summary>The state services as a host registers them (<c>AddMcpAspireState</c>), against one server, under a fresh key prefix.</summary>
internal sealed class StateHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StateHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    internal EntryStore Entries => new(Services.GetRequiredService<SharedRedis>());

    public ISessionStore Sessions => Services.GetRequiredService<ISessionStore>();

    public McpRateLimiter Limiter => Services.GetRequiredService<McpRateLimiter>();

    internal RequestStateSealer Sealer => Services.GetRequiredService<RequestStateSealer>();

    public IDatabase Database => Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    public string KeyPrefix { get; private init; } = "";

    public static async Task<StateHost> StartAsync(RedisTestServer server, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var prefix = $"t{Guid.NewGuid():N}"[..16];
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = server.ConnectionString,
            ["McpAspire:State:KeyPrefix"] = prefix,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddMcpAspireState("cache");
        builder.Services.AddMcpServer().WithMcpAspireSealedRequestState();
        var host = builder.Build();
        await host.StartAsync();
        return new StateHost(host) { KeyPrefix = prefix };
    }

    public async Task<HealthStatus> HealthAsync() =>
        (await Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
