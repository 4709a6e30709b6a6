using System.Net;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>
/// A host started in Production with nothing configured but its certificate is secure by default: it answers its
/// probes, refuses every MCP request with 401 and says in its log what to set; a flood from one client gets 429
/// before any authentication work; and a security setting that cannot work stops it at start-up.
/// </summary>
public sealed class SecureDefaultsTests(SecureDefaultsTests.UnconfiguredHost host) : IClassFixture<SecureDefaultsTests.UnconfiguredHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoCredentialsConfigured_ProbesAnswer_McpIs401_AndTheLogSaysWhatToSet()
    {
        using var http = host.Certificates.Client();
        using var health = await http.GetAsync(new Uri(SecuredHostsFixture.Address(host.Process, "http"), "/health"), Ct);
        using var mcp = await http.SendAsync(RawMcp.Post(new Uri(SecuredHostsFixture.Address(host.Process, "https"), "/mcp"), RawMcp.Initialize), Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, mcp.StatusCode);
        Assert.Single(host.Process.Output.Split('\n'), line => line.Contains("No credentials are configured", StringComparison.Ordinal) &&
            line.Contains("McpAspire__Security__ApiKeys__{name}__Hash=sha256:{hex}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFloodFromOneClient_Gets429BeforeAuthentication_AndRecovers()
    {
        // IPv6 loopback: its own bucket, apart from the other test's requests.
        using var http = host.Certificates.Client();
        var mcp = new Uri(SecuredHostsFixture.Address(host.Process, "https", ipv6: true), "/mcp");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 40 && limited is null; i++)
        {
            var response = await http.SendAsync(RawMcp.Post(mcp, RawMcp.Initialize), Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
            Assert.Equal("1", limited.Headers.RetryAfter!.ToString());
            var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal(-32029, error.ErrorCode());
            Assert.StartsWith("Too many requests from this client", error.ErrorMessage(), StringComparison.Ordinal);
        }

        await Until.TrueAsync(() =>
        {
            using var again = http.Send(RawMcp.Post(mcp, RawMcp.Initialize), Ct);
            return again.StatusCode == HttpStatusCode.Unauthorized;
        }, () => "the client's bucket to refill", Ct, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SettingsThatCannotWork_StopTheHostAtStartUp_NamingEachKey()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["McpAspire__Security__ApiKeys__ci__Hash"] = "the-plain-key",
            ["McpAspire__Security__ApiKeys__ci__Scopes__0"] = "*",
            ["McpAspire__Security__AllowedNetworks__0"] = "10.0.0.300/8",
            ["McpAspire__Security__AllowedOrigins__0"] = "*",
            ["McpAspire__Security__Jwt__Authority"] = "http://issuer.example.com",
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct));

        Assert.Contains("McpAspire:Security:ApiKeys:ci:Hash must be 'sha256:'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("McpAspire:Security:AllowedNetworks entry '10.0.0.300/8'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("McpAspire:Security:AllowedOrigins entry '*'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("McpAspire:Security:Jwt:Authority must be an absolute https URL", failure.Message, StringComparison.Ordinal);
        Assert.Contains("McpAspire:Security:Jwt:Audience must be set", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the-plain-key", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The HTTP worker in Production with a certificate and a low per-client rate, and no credentials.</summary>
    public sealed class UnconfiguredHost : IAsyncLifetime
    {
        internal TestCertificates Certificates { get; } = new();

        internal HostProcess Process { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Process = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Kestrel__Certificates__Default__Path"] = Certificates.PfxPath,
                ["Kestrel__Certificates__Default__Password"] = TestCertificates.PfxPassword,
                ["McpAspire__Security__RequestsPerClientPerSecond"] = "3",
                ["Logging__LogLevel__McpAspire.Hosting.Http.WarmUp"] = "Debug",
            }, TestContext.Current.CancellationToken, "--urls", SecuredHostsFixture.Urls);
            // Ready means warm: /health answers 503 until the warm-up has ended. Waiting on its line rather than polling
            // /health keeps this client's three requests a second for the tests.
            await Process.WaitForOutputAsync(line => line.Contains("Warmed up in", StringComparison.Ordinal), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }

            Certificates.Dispose();
        }
    }
}
