using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>The access log: one structured line per request, never a secret.</summary>
[Collection(SecuredHostsGroup.Name)]
public sealed class AccessLogTests(HostsFixture developmentHosts, SecuredHostsFixture hosts) : SecuredHostsTests(developmentHosts, hosts)
{
    [Fact]
    public async Task AccessLog_HasALinePerRequest_AndNoSecret()
    {
        using var http = Hosts.Client();
        const string wrongKey = "mcpaspire-wrong-key-canary-0a7c";
        const string argument = "argument-canary-3e9d";
        var expired = Hosts.Issuer.Mint("carol", "*", expiresIn: TimeSpan.FromMinutes(-5));
        var valid = Hosts.Issuer.Mint("carol", "*");
        using (await http.SendAsync(Initialize(Https(false), wrongKey), Ct)) { }
        using (await http.SendAsync(Initialize(Https(false), bearer: expired), Ct)) { }
        using (var call = RawMcp.Post(Https(false), RawMcp.ToolCall(5, "echo", $$"""{"message":"{{argument}}"}""")))
        {
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", valid);
            using var answered = await http.SendAsync(call, Ct);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using (var keyed = Initialize(Https(false), SecuredHostsFixture.FullKey))
        {
            (await http.SendAsync(keyed, Ct)).Dispose();
        }

        await Until.TrueAsync(() =>
        {
            var log = Hosts.AccessLog(false);
            return log.Contains("\"Refusal\":\"invalid_api_key\"", StringComparison.Ordinal) &&
                log.Contains("\"Refusal\":\"token_expired\"", StringComparison.Ordinal) &&
                log.Contains("\"Principal\":\"carol\"", StringComparison.Ordinal) &&
                log.Contains("\"Principal\":\"apikey:full\"", StringComparison.Ordinal);
        }, () => $"the requests in the access log:{Environment.NewLine}{Hosts.AccessLog(false)}", Ct);

        var lines = Hosts.AccessLog(false).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var echo = lines.Single(l => l.TryGetProperty("Principal", out var p) && p.GetString() == "carol");
        Assert.Equal("tools/call", echo.GetProperty("McpMethod").GetString());
        Assert.Equal("echo", echo.GetProperty("Tool").GetString());
        Assert.Equal("streamable-http", echo.GetProperty("Transport").GetString());
        Assert.Equal(200, echo.GetProperty("StatusCode").GetInt32());
        Assert.Equal("127.0.0.1", echo.GetProperty("ClientIp").GetString());
        Assert.Matches("^[0-9a-f]{32}$", echo.GetProperty("TraceId").GetString());
        Assert.True(echo.TryGetProperty("@t", out _));
        Assert.True(echo.GetProperty("DurationMs").GetDouble() > 0);
        var text = Hosts.AccessLog(false) + Hosts.AccessLog(true);
        foreach (var secret in new[] { wrongKey, SecuredHostsFixture.FullKey, SecuredHostsFixture.EchoOnlyKey, argument, expired.Split('.')[2], valid.Split('.')[2], "sessionId=" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AccessLog_OnTheConsole_IsOneCompactLinePerRequest_InTheOrderServed_NotTheConsoleLoggers()
    {
        using var http = Hosts.Client();
        var traces = Enumerable.Range(0, 20).Select(_ => System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString()).ToList();
        foreach (var trace in traces)
        {
            using var call = RawMcp.Post(Https(false), RawMcp.ToolCall(7, "echo", """{"message":"console"}"""));
            call.Headers.Add(ApiKeyHeader, SecuredHostsFixture.FullKey);
            call.Headers.Add("traceparent", $"00-{trace}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var answered = await http.SendAsync(call, Ct);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        IReadOnlyList<string> Lines() => [.. Hosts.Worker.Output.Split(Environment.NewLine).Where(l => traces.Any(t => l.EndsWith($"trace={t}", StringComparison.Ordinal)))];
        await Until.TrueAsync(() => Lines().Count == traces.Count, () => $"20 access lines on the console:{Environment.NewLine}{Hosts.Worker.Output}", Ct);

        var lines = Lines();
        Assert.Equal(traces, lines.Select(l => l[(l.LastIndexOf('=') + 1)..]));
        Assert.All(lines, line => Assert.Matches(
            @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z POST /mcp 200 \d+\.\d{3} ms principal=apikey:full client=127\.0\.0\.1 transport=streamable-http method=tools/call tool=echo refused= trace=[0-9a-f]{32}$", line));
        // Not also written by the console logger, whose lines name their category and event id this way (as the host's
        // own lifetime lines show).
        Assert.Contains("Microsoft.Hosting.Lifetime[0]", Hosts.Worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("McpAspire.AccessLog[1]", Hosts.Worker.Output, StringComparison.Ordinal);
    }
}
