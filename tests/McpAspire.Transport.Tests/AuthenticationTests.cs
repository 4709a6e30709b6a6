using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>Who may call the remote hosts: API keys and OAuth bearer tokens, with the answer each refusal gets, over every transport and from clients no one here wrote.</summary>
[Collection(SecuredHostsGroup.Name)]
public sealed class AuthenticationTests(HostsFixture developmentHosts, SecuredHostsFixture hosts) : SecuredHostsTests(developmentHosts, hosts)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NoCredentials_Get401WithAChallengeThatPointsToAnonymousMetadata(bool frontEnd)
    {
        using var http = Hosts.Client();
        using var refused = await http.SendAsync(Initialize(Https(frontEnd)), Ct);

        var metadataUrl = new Uri(Https(frontEnd), "/.well-known/oauth-protected-resource/mcp");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal($"Bearer resource_metadata=\"{metadataUrl}\"", refused.Headers.WwwAuthenticate.ToString());
        var error = await ErrorOf(refused);
        Assert.Equal(-32031, error.ErrorCode());
        Assert.StartsWith("Unauthorized: Authentication required: send an API key", error.ErrorMessage(), StringComparison.Ordinal);

        using var metadata = await http.GetAsync(metadataUrl, Ct);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var document = JsonDocument.Parse(await metadata.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(new Uri(Https(frontEnd), "/mcp").ToString(), document.GetProperty("resource").GetString());
        Assert.Equal([Hosts.Issuer.Authority], document.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], document.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var scopes = document.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("*", scopes);
        Assert.Contains("echo", scopes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnlyHealthAndMetadata_AreAnonymous(bool frontEnd)
    {
        using var http = Hosts.Client();

        using var health = await http.GetAsync(Https(frontEnd, "/health"), Ct);
        using var alive = await http.GetAsync(Http(frontEnd, "/alive"), Ct);
        using var other = await http.GetAsync(Https(frontEnd, "/admin"), Ct);
        using var sse = await http.GetAsync(Https(frontEnd, "/sse"), HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WrongApiKey_Gets401InvalidToken(bool asBearer)
    {
        using var http = Hosts.Client();
        const string wrong = "mcpaspire-wrong-key-canary-51f2";
        using var refused = await http.SendAsync(Initialize(Https(false), asBearer ? null : wrong, asBearer ? wrong : null), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The API key is not valid.\", resource_metadata=\"https://",
            refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("Unauthorized: The API key is not valid.", (await ErrorOf(refused)).ErrorMessage());
    }

    [Theory]
    [InlineData("expired", "The access token has expired.")]
    [InlineData("audience", "The access token was issued for another audience.")]
    [InlineData("signature", "The access token's signature is not valid.")]
    public async Task BadJwt_Gets401SayingWhy(string flaw, string description)
    {
        var token = flaw switch
        {
            "expired" => Hosts.Issuer.Mint("alice", "*", expiresIn: TimeSpan.FromMinutes(-5)),
            "audience" => Hosts.Issuer.Mint("alice", "*", audience: "https://another.example.test"),
            _ => Hosts.Issuer.Mint("alice", "*", signedByAnotherKey: true),
        };
        using var http = Hosts.Client();
        using var refused = await http.SendAsync(Initialize(Https(false), bearer: token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith($"Bearer error=\"invalid_token\", error_description=\"{description}\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal($"Unauthorized: {description}", (await ErrorOf(refused)).ErrorMessage());
    }

    [Theory]
    [InlineData(TransportKind.LegacySse, "key")]
    [InlineData(TransportKind.LegacySse, "jwt")]
    [InlineData(TransportKind.StatefulHttp, "key")]
    [InlineData(TransportKind.StatefulHttp, "bearer-key")]
    [InlineData(TransportKind.StatelessHttp, "jwt")]
    [InlineData(TransportKind.StatelessHttp, "key")]
    public async Task SdkClient_ConnectsWithAKeyOrAJwt_AsThatPrincipal(TransportKind kind, string credential)
    {
        var headers = credential switch
        {
            "key" => new Dictionary<string, string> { [ApiKeyHeader] = SecuredHostsFixture.FullKey },
            "bearer-key" => new Dictionary<string, string> { ["Authorization"] = $"Bearer {SecuredHostsFixture.FullKey}" },
            _ => new Dictionary<string, string> { ["Authorization"] = $"Bearer {Hosts.Issuer.Mint("alice", "*")}" },
        };
        await using var client = await ConnectAsync(kind, headers);

        var whoami = await client.CallToolAsync("whoami", cancellationToken: Ct);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "over TLS" }, cancellationToken: Ct);

        Assert.Equal(credential == "jwt" ? "alice" : "apikey:full", whoami.StructuredContent!.Value.GetProperty("principal").GetString());
        Assert.Equal("over TLS", echo.Text());
    }

    [Theory]
    [InlineData("streamable-http", "key")]
    [InlineData("sse", "jwt")]
    public async Task TypeScriptClient_ConnectsWithAKeyOrAJwt(string transport, string credential)
    {
        var headers = credential == "key"
            ? $$"""{"{{ApiKeyHeader}}":"{{SecuredHostsFixture.FullKey}}"}"""
            : $$"""{"Authorization":"Bearer {{Hosts.Issuer.Mint("ts-user", "*")}}"}""";
        var url = transport == "sse" ? Https(true, "/sse") : Https(false);
        var environment = new Dictionary<string, string> { ["MCP_HEADERS"] = headers, ["NODE_EXTRA_CA_CERTS"] = Hosts.Certificates.AuthorityPemPath };

        var run = await NodeTooling.RunNodeAsync(["ts-client.mjs", transport, url.ToString()], TimeSpan.FromSeconds(60), Ct, environment);

        Assert.True(run.ExitCode == 0, run.Output);
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(credential == "key" ? "apikey:full" : "ts-user", report.GetProperty("whoami").GetProperty("principal").GetString());
        Assert.Equal("hello from TypeScript", report.GetProperty("echo").GetString());
    }

    [Fact]
    public async Task Development_LoopbackNeedsNoCredentials_ButAWrongKeyIsStill401()
    {
        using var http = new HttpClient();
        using var anonymous = await http.SendAsync(Initialize(new Uri(DevelopmentHosts.WorkerUri, "/mcp")), Ct);
        using var wrong = await http.SendAsync(Initialize(new Uri(DevelopmentHosts.WorkerUri, "/mcp"), "not-a-key"), Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }
}
