using System.Net;
using System.Security.Cryptography;
using System.Text;
using McpAspire.Hosting;
using McpAspire.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpAspire.Hosting.Tests;

/// <summary>What the security edge refuses is counted by reason, for an operator's alert on a key guesser or a misconfigured client.</summary>
public sealed class SecurityMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refusals_AreCountedByReason()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["McpAspire:Security:ApiKeys:metrics:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("the-key"))),
            ["McpAspire:Security:ApiKeys:metrics:Scopes:0"] = "echo",
            ["McpAspire:Security:RequireHttps"] = "false",
        });
        builder.AddMcpAspireState();
        builder.AddMcpAspireSecurity();
        builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(McpHttpMode.Stateless);
        await using var app = builder.Build();
        app.MapMcpAspire();
        await app.StartAsync(Ct);
        var mcp = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()), "/mcp");
        using var counters = new McpAspireMeterListener("reason", "mcpaspire.auth.failures", "mcpaspire.security.refusals");
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", ("X-API-Key", "a-guess"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", ("X-API-Key", "another-guess"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", ("X-API-Key", "the-key"), ("Origin", "https://evil.example.com"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":1}}}""", ("X-API-Key", "the-key"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, mcp, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", ("X-API-Key", "the-key"))).StatusCode);

        Assert.Equal(new Dictionary<string, long>
        {
            ["mcpaspire.auth.failures:missing_credentials"] = 1,
            ["mcpaspire.auth.failures:invalid_api_key"] = 2,
            ["mcpaspire.security.refusals:origin"] = 1,
            ["mcpaspire.security.refusals:scope"] = 1,
        }, counters.Read());
        await app.StopAsync(Ct);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri uri, string body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await http.SendAsync(request, Ct);
    }
}
