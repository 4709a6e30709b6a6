using System.Diagnostics;
using System.Globalization;
using McpAspire.Testing;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

/// <summary>
/// Signing in as MCP clients do, on loopback: the whole sign-in of the C# SDK's client (401, metadata, registration by
/// Dynamic Client Registration or by a Client ID Metadata Document, the user's sign-in and consent, the code exchange, the
/// first tool call), and what a signed-in call costs the worker against an API-key call (the worker as shipped, two
/// processes side by side, measured in turn). The authorization server runs in Development with its own sign-in form
/// (no upstream: its round trips are the provider's, not ours), on embedded Garnet with the worker.
/// </summary>
internal static class SignIn
{
    private const string RedirectUri = "http://127.0.0.1:8977/callback";

    public static async Task RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine("## Signing in as MCP clients do");
        Console.WriteLine();
        await using var redis = new GarnetRedisServer();
        await redis.InitializeAsync();
        using var certificates = new TestCertificates();
        await using var documents = await DocumentServer.StartAsync(certificates, cancellationToken);
        await using var sink = new OtlpSinkScope();
        var workerPorts = new[] { LoopbackPort.Free(), LoopbackPort.Free() };
        var authPort = LoopbackPort.Free();
        var issuer = new Uri($"http://127.0.0.1:{authPort}/");
        var resources = workerPorts.Select(port => $"http://127.0.0.1:{port}/mcp").ToArray();
        const string Section = "McpAspire__AuthServer__";
        var authEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = redis.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            [Section + "Issuer"] = issuer.AbsoluteUri,
            [Section + "Users__alice__Name"] = "Alice",
            [Section + "ClientMetadataDocuments__TrustedCaCertificatePath"] = certificates.AuthorityPemPath,
            [Section + "DynamicRegistration__PerClientAddressPerHour"] = "100000",
            [Section + "AccessTokenLifetime"] = "01:00:00",
        };
        for (var i = 0; i < resources.Length; i++)
        {
            authEnvironment[$"{Section}Resources__{i}"] = resources[i];
        }

        await using var auth = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.AuthServer"), authEnvironment, cancellationToken, "--urls", issuer.AbsoluteUri);
        var workers = new List<HostProcess>();
        try
        {
            foreach (var (port, resource) in workerPorts.Zip(resources))
            {
                var environment = AsDeployed.Shipped([new("ConnectionStrings__cache", redis.ConnectionString), new("McpAspire__RateLimiting__PermitLimit", "1000000"),
                    new("McpAspire__RateLimiting__Window", "00:00:10")], sink.Sink);
                environment["McpAspire__Security__Jwt__Authority"] = issuer.AbsoluteUri;
                environment["McpAspire__Security__Jwt__Audience"] = resource;
                environment["McpAspire__Security__Jwt__RequireHttpsMetadata"] = "false";
                workers.Add(await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, cancellationToken, "--urls", $"http://127.0.0.1:{port}"));
            }

            var document = documents.Put("/bench/client.json", $$"""
                {"client_id":"{{new Uri(documents.HttpsBase, "/bench/client.json").AbsoluteUri}}","client_name":"bench","redirect_uris":["{{RedirectUri}}"],"token_endpoint_auth_method":"none"}
                """, "max-age=3600");
            var runs = settings.Smoke ? 1 : 10;
            Console.WriteLine($"Whole sign-in, {runs} each (a new client and a new browser each time: registration, sign-in form, consent, code exchange, first tools/call), then the same client calling again:");
            Console.WriteLine();
            Console.WriteLine("| registration | sign-in to first call, median ms | max ms | next call, median ms |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            foreach (var (name, documentUri) in new[] { ("Dynamic Client Registration", (Uri?)null), ("Client ID Metadata Document", document) })
            {
                var signIns = new List<double>();
                var next = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var (signIn, call) = await SignInAsync(new Uri(resources[0]), documentUri, cancellationToken);
                    signIns.Add(signIn);
                    next.Add(call);
                }

                signIns.Sort();
                next.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Load.Percentile([.. signIns], 0.5):F0} | {signIns[^1]:F0} | {Load.Percentile([.. next], 0.5):F1} |"));
            }

            using var http = new HttpClient();
            var tokens = await new OAuthCodeFlow(issuer, http).SignInAsync(new OAuthBrowser(), "alice", resources[1], "*", cancellationToken);
            var bearer = new Credential("Authorization", $"Bearer {tokens.GetProperty("access_token").GetString()}");
            Console.WriteLine();
            Console.WriteLine($"Signed-in calls against API-key calls: tools/call echo, {settings.Concurrency} concurrent clients, the worker as shipped, two processes measured in turn, {settings.Rounds} round(s) of {settings.RoundDuration.TotalSeconds:F0} s:");
            Console.WriteLine();
            var rows = new (string Name, Func<Task<(Uri Endpoint, IAsyncDisposable Server, int ProcessId)>> Start, Credential? Credential)[]
            {
                ("(k) API key (X-API-Key)", () => Task.FromResult<(Uri, IAsyncDisposable, int)>((new Uri(resources[0]), new NoDispose(), workers[0].ProcessId)), AsDeployed.KeyCredential),
                ("(o) a signed-in user's access token (JWT, RS256)", () => Task.FromResult<(Uri, IAsyncDisposable, int)>((new Uri(resources[1]), new NoDispose(), workers[1].ProcessId)), bearer),
            };
            var (results, driver) = await Throughput.MeasureInTurnAsync(rows, settings, cancellationToken);
            Console.WriteLine($"Driver: {driver}; {settings.LoadWarmUp}.");
            Console.WriteLine();
            Console.WriteLine("| server | calls/s | slowest–fastest round | server CPU µs/call | p50 ms | p90 ms | p99 ms | failed | warm-up s |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (name, _, _) in rows)
            {
                Throughput.Print(name, results[name]);
            }

            var (key, token) = (results[rows[0].Name], results[rows[1].Name]);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Signed in against API key: o/k {token.PerSecond / key.PerSecond:F2}× in calls/s, {token.CpuPerCall - key.CpuPerCall:F1} µs of CPU more per call."));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    /// <summary>The C# SDK's client signing in from nothing; returns the ms to its first answer and the ms of one more call.</summary>
    private static async Task<(double SignIn, double NextCall)> SignInAsync(Uri endpoint, Uri? documentUri, CancellationToken cancellationToken)
    {
        using var browser = new OAuthBrowser();
        var started = Stopwatch.GetTimestamp();
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            OAuth = new ClientOAuthOptions
            {
                RedirectUri = new Uri(RedirectUri),
                ClientMetadataDocumentUri = documentUri,
                DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "bench" },
                AuthorizationCallbackHandler = async (context, ct) =>
                {
                    var callback = await browser.RunAsync(context.AuthorizationUri, "alice", ct, stopAt: context.RedirectUri.AbsoluteUri);
                    return new AuthorizationResult { Code = callback.Parameter("code"), State = callback.Parameter("state"), Iss = callback.Parameter("iss") };
                },
            },
        }), cancellationToken: cancellationToken);
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "signed in" }, cancellationToken: cancellationToken);
        var signIn = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        started = Stopwatch.GetTimestamp();
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "again" }, cancellationToken: cancellationToken);
        return (signIn, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The workers outlive the measurement: this section stops them itself.</summary>
    private sealed class NoDispose : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>An OTLP sink the shipped workers export to, disposed with the section.</summary>
    private sealed class OtlpSinkScope : IAsyncDisposable
    {
        public OtlpSink Sink { get; } = new();

        public ValueTask DisposeAsync()
        {
            Sink.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
