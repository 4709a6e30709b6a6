namespace McpAspire.Testing;

/// <summary>
/// One SSE front-end and one HTTP worker for the whole test assembly, each a real process on a loopback port,
/// and a directory of files the stdio sidecar may read. The front-end scales out, so it has its own embedded Garnet;
/// the worker keeps its state in memory.
/// </summary>
public sealed class HostsFixture : IAsyncLifetime
{
    private readonly GarnetRedisServer _cache = new();

    public HostProcess FrontEnd { get; private set; } = null!;

    public HostProcess Worker { get; private set; } = null!;

    public DirectoryInfo FileRoot { get; } = Directory.CreateTempSubdirectory("mcpaspire-files-");

    public Uri FrontEndUri => FrontEnd.BaseUri;

    public Uri WorkerUri => Worker.BaseUri;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(FileRoot.FullName, "hello.txt"), "hello from disk");
        var ct = TestContext.Current.CancellationToken;
        await _cache.InitializeAsync();
        var frontEnd = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), new Dictionary<string, string> { ["ConnectionStrings__cache"] = _cache.ConnectionString }, ct);
        var worker = HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), null, ct);
        FrontEnd = await frontEnd;
        Worker = await worker;
    }

    public async ValueTask DisposeAsync()
    {
        if (FrontEnd is not null)
        {
            await FrontEnd.DisposeAsync();
        }

        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        await _cache.DisposeAsync();
        FileRoot.Delete(recursive: true);
    }
}
