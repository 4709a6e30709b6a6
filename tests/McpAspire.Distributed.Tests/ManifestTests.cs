using System.Diagnostics;
using System.Text.Json;

namespace McpAspire.Distributed.Tests;

/// <summary>What azd deploys: the AppHost's manifest (<c>--publisher manifest</c>).</summary>
public sealed class ManifestTests
{
    /// <summary>Resources of a local run that a deployment does not have (AppHostTests checks a local run has them).</summary>
    internal static readonly string[] LocalOnly = ["cache-garnet", "probe", "inspector", "inspector-install", "dev-identity"];

    [Fact]
    public async Task Manifest_HasRedisTheHostsAndTheirReferences_AndNoLocalOnlyResources()
    {
        var resources = await ManifestAsync(null);

        var cache = resources.GetProperty("cache");
        Assert.Equal("container.v0", cache.GetProperty("type").GetString());
        Assert.StartsWith("docker.io/library/redis:", cache.GetProperty("image").GetString(), StringComparison.Ordinal);
        // Its data survives a restart: a named volume at /data, and every write in the append-only file, synced each second.
        var volume = Assert.Single(cache.GetProperty("volumes").EnumerateArray());
        Assert.Equal("/data", volume.GetProperty("target").GetString());
        Assert.False(volume.GetProperty("readOnly").GetBoolean());
        var command = cache.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).Single(a => a.StartsWith("redis-server ", StringComparison.Ordinal));
        Assert.EndsWith(" --appendonly yes --appendfsync everysec", command, StringComparison.Ordinal);
        foreach (var host in new[] { "sse-frontend", "http-worker" })
        {
            var project = resources.GetProperty(host);
            Assert.Equal("project.v0", project.GetProperty("type").GetString());
            // Remote clients reach them from outside the environment.
            Assert.True(project.GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
            var env = project.GetProperty("env");
            Assert.Equal("{cache.connectionString}", env.GetProperty("ConnectionStrings__cache").GetString());
            Assert.Equal("{allowed-hosts.value}", env.GetProperty("AllowedHosts").GetString());
            Assert.Equal("parentbased_traceidratio", env.GetProperty("OTEL_TRACES_SAMPLER").GetString());
            Assert.Equal("{trace-sample-ratio.value}", env.GetProperty("OTEL_TRACES_SAMPLER_ARG").GetString());
            // Deployed hosts get the hash of the operators' key (never a key) and believe only the ingress's forwarded headers.
            Assert.Equal("{mcp-api-key-hash.value}", env.GetProperty("McpAspire__Security__ApiKeys__default__Hash").GetString());
            Assert.Equal("*", env.GetProperty("McpAspire__Security__ApiKeys__default__Scopes__0").GetString());
            Assert.Equal("{trusted-proxies.value}", env.GetProperty("McpAspire__Security__KnownProxies__0").GetString());
            // The key ring that seals request state is encrypted at rest with the operators' certificate.
            Assert.Equal("{keyring-certificate.value}", env.GetProperty("McpAspire__State__KeyEncryptionCertificatePem").GetString());
        }

        Assert.True(resources.GetProperty("keyring-certificate").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());

        Assert.True(resources.GetProperty("mcp-api-key-hash").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("0.1", resources.GetProperty("trace-sample-ratio").GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString());

        foreach (var localOnly in LocalOnly)
        {
            Assert.False(resources.TryGetProperty(localOnly, out _), $"{localOnly} is for local runs only");
        }
    }

    [Fact]
    public async Task Manifest_HasTheAuthorizationServer_FederatingToTheUpstreamParameters_ForTheHostsResources()
    {
        var resources = await ManifestAsync(null);

        var auth = resources.GetProperty("auth");
        Assert.Equal("project.v0", auth.GetProperty("type").GetString());
        Assert.True(auth.GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        var env = auth.GetProperty("env");
        var issuer = env.GetProperty("McpAspire__AuthServer__Issuer").GetString()!;
        Assert.Equal("{auth.bindings.http.url}/", issuer);
        Assert.Equal("{cache.connectionString}", env.GetProperty("ConnectionStrings__cache").GetString());
        Assert.Equal("{upstream-authority.value}", env.GetProperty("McpAspire__AuthServer__Upstream__Authority").GetString());
        Assert.Equal("{upstream-client-id.value}", env.GetProperty("McpAspire__AuthServer__Upstream__ClientId").GetString());
        Assert.Equal("{upstream-client-secret.value}", env.GetProperty("McpAspire__AuthServer__Upstream__ClientSecret").GetString());
        Assert.True(resources.GetProperty("upstream-client-secret").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("{trusted-proxies.value}", env.GetProperty("McpAspire__AuthServer__KnownProxies__0").GetString());
        var served = env.EnumerateObject().Where(v => v.Name.StartsWith("McpAspire__AuthServer__Resources__", StringComparison.Ordinal)).Select(v => v.Value.GetString()).Order().ToList();
        Assert.Equal(["{http-worker.bindings.http.url}/mcp", "{sse-frontend.bindings.http.url}/mcp", "{sse-frontend.bindings.http.url}/sse"], served);

        foreach (var (host, audiences) in new[] { ("http-worker", new[] { "/mcp" }), ("sse-frontend", new[] { "/mcp", "/sse" }) })
        {
            var hostEnv = resources.GetProperty(host).GetProperty("env");
            Assert.Equal(issuer, hostEnv.GetProperty("McpAspire__Security__Jwt__Authority").GetString());
            Assert.Equal("false", hostEnv.GetProperty("McpAspire__Security__AllowAnonymousLoopback").GetString());
            Assert.False(hostEnv.TryGetProperty("McpAspire__Security__Jwt__RequireHttpsMetadata", out _), "deployed, the authority's metadata is fetched over https");
            for (var i = 0; i < audiences.Length; i++)
            {
                Assert.Equal($"{{{host}.bindings.http.url}}{audiences[i]}", hostEnv.GetProperty($"McpAspire__Security__Jwt__Audiences__{i}").GetString());
            }
        }

        Assert.False(resources.TryGetProperty("dev-identity", out _), "the development identity provider is for local runs only");
    }

    [Fact]
    public async Task ExternalCache_IsASecretConnectionStringParameter_AndNoRedisContainer()
    {
        var resources = await ManifestAsync("external");

        var cache = resources.GetProperty("cache");
        Assert.Equal("parameter.v0", cache.GetProperty("type").GetString());
        Assert.Equal("{cache.value}", cache.GetProperty("connectionString").GetString());
        Assert.True(cache.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.TryGetProperty("image", out var image) && image.GetString()!.Contains("redis", StringComparison.Ordinal));
        foreach (var host in new[] { "sse-frontend", "http-worker" })
        {
            Assert.Equal("{cache.connectionString}", resources.GetProperty(host).GetProperty("env").GetProperty("ConnectionStrings__cache").GetString());
        }
    }

    /// <summary>The AppHost's manifest, with <c>McpAspire:Cache</c> set to <paramref name="cache"/> when given.</summary>
    private static async Task<JsonElement> ManifestAsync(string? cache)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(Directory.CreateTempSubdirectory("mcpaspire-manifest-").FullName, "aspire-manifest.json");
        var appHost = typeof(Projects.McpAspire_AppHost).Assembly.Location;

        var start = new ProcessStartInfo("dotnet", [appHost, "--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        if (cache is not null)
        {
            start.Environment["McpAspire__Cache"] = cache;
        }

        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        Assert.True(process.ExitCode == 0, $"{await log}{await errors}");

        return JsonDocument.Parse(await File.ReadAllTextAsync(output, ct)).RootElement.GetProperty("resources").Clone();
    }
}
