using System.Globalization;

namespace McpAspire.Testing;

/// <summary>
/// The authorization server as deployed, on loopback: two replicas behind a round-robin balancer (the issuer), sharing
/// embedded Garnet, federating sign-in to a real OpenID Provider (<see cref="OidcUpstream"/>, configured like Entra ID),
/// and the two MCP hosts whose tokens it issues (worker <c>/mcp</c>; front-end <c>/mcp</c> and <c>/sse</c>), which let
/// nobody in without a token or a key. Client ID Metadata Documents served with <see cref="Certificates"/> are trusted.
/// </summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    /// <summary>A configured public client whose access tokens live <see cref="ShortLivedSeconds"/> seconds.</summary>
    public const string ShortLivedClient = "short-lived";
    public const int ShortLivedSeconds = 3;

    private readonly int[] _replicaPorts = [LoopbackPort.Free(), LoopbackPort.Free()];
    private readonly int _workerPort = LoopbackPort.Free();
    private readonly int _frontEndPort = LoopbackPort.Free();

    public GarnetRedisServer Redis { get; } = new();

    public TestCertificates Certificates { get; } = new();

    public OidcUpstream Upstream { get; private set; } = null!;

    public RoundRobinProxy Balancer { get; private set; } = null!;

    public HostProcess?[] Replicas { get; } = new HostProcess?[2];

    public HostProcess Worker { get; private set; } = null!;

    public HostProcess FrontEnd { get; private set; } = null!;

    /// <summary>The issuer: the balancer's URL with a trailing slash, as clients and resources spell it.</summary>
    public Uri Issuer => new($"{Balancer.BaseUri.GetLeftPart(UriPartial.Authority)}/");

    public Uri Replica(int index) => new($"http://127.0.0.1:{_replicaPorts[index]}/");

    public string WorkerResource => $"http://127.0.0.1:{_workerPort}/mcp";

    public string FrontEndResource => $"http://127.0.0.1:{_frontEndPort}/mcp";

    public string FrontEndLegacyResource => $"http://127.0.0.1:{_frontEndPort}/sse";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await Redis.InitializeAsync();
        Balancer = await RoundRobinProxy.StartAsync([Replica(0), Replica(1)], ct);
        // Each replica's own callback too, so a sign-in can be kept on one replica.
        Upstream = await OidcUpstream.StartAsync(new[] { Issuer, Replica(0), Replica(1) }.Select(server => new Uri(server, "callback/login/upstream")), ct);
        var hosts = new[]
        {
            HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), HostEnvironment(WorkerResource), ct, "--urls", $"http://127.0.0.1:{_workerPort}"),
            HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.SseFrontEnd"), HostEnvironment(FrontEndResource, FrontEndLegacyResource), ct, "--urls", $"http://127.0.0.1:{_frontEndPort}"),
        };
        await Task.WhenAll(StartReplicaAsync(0, ct), StartReplicaAsync(1, ct));
        Worker = await hosts[0];
        FrontEnd = await hosts[1];
    }

    /// <summary>The settings of every replica; a test adds or overrides some for a server of its own.</summary>
    public Dictionary<string, string> ServerEnvironment()
    {
        const string Section = "McpAspire__AuthServer__";
        return new()
        {
            ["ConnectionStrings__cache"] = Redis.ConnectionString,
            [Section + "Issuer"] = Issuer.AbsoluteUri,
            [Section + "Resources__0"] = WorkerResource,
            [Section + "Resources__1"] = FrontEndResource,
            [Section + "Resources__2"] = FrontEndLegacyResource,
            [Section + "Upstream__Authority"] = Upstream.Issuer.AbsoluteUri,
            [Section + "Upstream__ClientId"] = OidcUpstream.ClientId,
            [Section + "Upstream__ClientSecret"] = OidcUpstream.ClientSecret,
            [Section + "Upstream__DisplayName"] = "the test provider",
            [Section + "ClientMetadataDocuments__TrustedCaCertificatePath"] = Certificates.AuthorityPemPath,
            // Every test registers from the same address; the limit itself is tested on the Production server.
            [Section + "DynamicRegistration__PerClientAddressPerHour"] = "10000",
            [Section + $"Clients__{ShortLivedClient}__RedirectUris__0"] = OAuthCodeFlow.RedirectUri,
            [Section + $"Clients__{ShortLivedClient}__AccessTokenLifetime"] = TimeSpan.FromSeconds(ShortLivedSeconds).ToString("c", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Registrations one address may make per hour on <see cref="OutsideDevelopmentAsync"/>'s server.</summary>
    public const int ProductionRegistrationsPerHour = 3;

    /// <summary>How long a registration no request uses lives on <see cref="OutsideDevelopmentAsync"/>'s server.</summary>
    public static readonly TimeSpan ProductionUnusedLifetime = TimeSpan.FromSeconds(3);

    private readonly int _productionPort = LoopbackPort.Free();
    private Task<HostProcess>? _production;

    /// <summary>
    /// One more server, in Production (behind a TLS-terminating proxy: RequireHttps off), with its own state, few
    /// registrations per address and short-lived unused registrations; started on first use.
    /// </summary>
    public Task<HostProcess> OutsideDevelopmentAsync()
    {
        var environment = ServerEnvironment();
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["McpAspire__State__KeyPrefix"] = "mcpaspire-production-test";
        environment["McpAspire__AuthServer__RequireHttps"] = "false";
        environment["McpAspire__AuthServer__Issuer"] = ProductionIssuer.AbsoluteUri;
        environment["McpAspire__AuthServer__DynamicRegistration__PerClientAddressPerHour"] = ProductionRegistrationsPerHour.ToString(CultureInfo.InvariantCulture);
        environment["McpAspire__AuthServer__DynamicRegistration__UnusedLifetime"] = ProductionUnusedLifetime.ToString("c", CultureInfo.InvariantCulture);
        return _production ??= HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.AuthServer"), environment, CancellationToken.None,
            "--urls", $"http://127.0.0.1:{_productionPort}");
    }

    public Uri ProductionIssuer => new($"http://127.0.0.1:{_productionPort}/");

    public async Task StartReplicaAsync(int index, CancellationToken cancellationToken) =>
        Replicas[index] = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.AuthServer"), ServerEnvironment(), cancellationToken,
            "--urls", $"http://127.0.0.1:{_replicaPorts[index]}");

    /// <summary>Stops a replica as a platform does (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopReplicaAsync(int index)
    {
        var replica = Replicas[index] ?? throw new InvalidOperationException($"Replica {index} is not running.");
        Replicas[index] = null;
        var exit = await replica.TerminateAsync(TimeSpan.FromSeconds(30));
        await replica.DisposeAsync();
        return exit;
    }

    private Dictionary<string, string> HostEnvironment(params string[] audiences)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = Redis.ConnectionString,
            ["McpAspire__Security__AllowAnonymousLoopback"] = "false",
            ["McpAspire__Security__Jwt__Authority"] = Issuer.AbsoluteUri,
            ["McpAspire__Security__Jwt__RequireHttpsMetadata"] = "false",
            // Expiry is checked to the second, so the short-lived client's tokens run out when they say.
            ["McpAspire__Security__Jwt__ClockSkew"] = "00:00:00",
        };
        for (var i = 0; i < audiences.Length; i++)
        {
            environment[$"McpAspire__Security__Jwt__Audiences__{i}"] = audiences[i];
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        if (_production is { IsCompletedSuccessfully: true })
        {
            await (await _production).DisposeAsync();
        }

        foreach (var host in Replicas.Append(Worker).Append(FrontEnd))
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        await Redis.DisposeAsync();
        Certificates.Dispose();
    }
}
