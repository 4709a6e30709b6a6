using McpAspire.Testing;
using McpAspire.Tools.Notes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace McpAspire.Tools.Tests;

/// <summary>The tool set's services as a host composes them (<c>AddMcpAspireState</c> and the tool set), against one server, under a fresh key prefix.</summary>
internal sealed class NotesHost : IAsyncDisposable
{
    private readonly IHost _host;

    private NotesHost(IHost host, string prefix)
    {
        _host = host;
        KeyPrefix = prefix;
    }

    public INoteStore Notes => _host.Services.GetRequiredService<INoteStore>();

    public IDatabase Database => _host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    public string KeyPrefix { get; }

    public static async Task<NotesHost> StartAsync(RedisTestServer server, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
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
        McpAspireToolSet.AddTo(builder.Services.AddMcpServer());
        var host = builder.Build();
        await host.StartAsync();
        return new NotesHost(host, prefix);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
