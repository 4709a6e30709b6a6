using System.Text;
using System.Text.Json;
using McpAspire.Testing;

namespace McpAspire.Transport.Tests;

/// <summary>The worker serves sessionless 2026-07-28 clients and older clients alike, remembering nothing between requests.</summary>
public sealed class StatelessWorkerTests(HostsFixture hosts)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Client2026_07_28_CallsToolsWithoutInitializeOrSession()
    {
        await using var client = await Clients.ConnectAsync(hosts, TransportKind.StatelessHttp, Ct, protocolVersion: "2026-07-28");

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "sessionless" }, cancellationToken: Ct);
        var whoami = (await client.CallToolAsync("whoami", cancellationToken: Ct)).StructuredContent!.Value;

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Null(client.SessionId);
        Assert.Equal("sessionless", echo.Text());
        // Per-request _meta carries what initialize used to: the version and the client's name.
        Assert.Equal("2026-07-28", whoami.GetProperty("protocolVersion").GetString());
        Assert.Equal(Clients.ClientName, whoami.GetProperty("clientName").GetString());
    }

    [Fact]
    public async Task InitializeAtTheSessionlessWire_Is404MethodNotFound()
    {
        using var http = new HttpClient();
        var parameters = new System.Text.Json.Nodes.JsonObject
        {
            ["protocolVersion"] = ModernMcp.Version,
            ["capabilities"] = new System.Text.Json.Nodes.JsonObject(),
            ["clientInfo"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "raw", ["version"] = "1" },
            ["_meta"] = ModernMcp.Meta("{}"),
        };

        using var response = await http.SendAsync(ModernMcp.Request(new Uri(hosts.WorkerUri, "/mcp"), 7, "initialize", null, parameters), Ct);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal((-32601, 7), (message.ErrorCode(), message.Id()));
    }

    [Fact]
    public async Task McpNameHeaderThatDisagreesWithTheBody_Is400HeaderMismatch_AndTheToolDoesNotRun()
    {
        using var http = new HttpClient();
        using var request = ModernMcp.ToolCall(new Uri(hosts.WorkerUri, "/mcp"), 8, "notes_put", """{"name":"header-mismatch","content":"x"}""");
        request.Headers.Remove("Mcp-Name");
        request.Headers.Add("Mcp-Name", "echo");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32020, (await RawMcp.ReadMessageAsync(response, Ct)).ErrorCode());
        await using var client = await Clients.ConnectAsync(hosts, TransportKind.StatelessHttp, Ct);
        var get = await client.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = "header-mismatch" }, cancellationToken: Ct);
        Assert.True(get.IsError);
        Assert.Contains("No note named 'header-mismatch'", get.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OlderClient_IsServedWithoutASessionId()
    {
        using var http = new HttpClient();

        using var response = await http.SendAsync(RawMcp.Post(new Uri(hosts.WorkerUri, "/mcp"), RawMcp.Initialize), Ct);

        response.EnsureSuccessStatusCode();
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var result = (await RawMcp.ReadMessageAsync(response, Ct)).GetProperty("result");
        Assert.Equal("2025-11-25", result.GetProperty("protocolVersion").GetString());
    }

    /// <summary>
    /// The edge reads a small body of declared length where Kestrel holds it (one pipe segment or many) and copies a larger
    /// or unsized one out; either way the SDK and the tool get the same bytes whole.
    /// </summary>
    [Theory]
    [InlineData(10, false)]
    [InlineData(60_000, false)]
    [InlineData(70_000, false)]
    [InlineData(10, true)]
    [InlineData(60_000, true)]
    public async Task ToolCall_ReachesTheToolWhole_WhateverTheBodysSizeAndFraming(int length, bool chunked)
    {
        using var http = new HttpClient();
        var message = string.Create(length, 0, (text, _) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                text[i] = (char)('a' + (i % 26));
            }
        });
        using var request = RawMcp.Post(new Uri(hosts.WorkerUri, "/mcp"),
            Encoding.UTF8.GetBytes(RawMcp.ToolCall(7, "echo", JsonSerializer.Serialize(new { message }))));
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await http.SendAsync(request, Ct);

        response.EnsureSuccessStatusCode();
        var answer = await RawMcp.ReadMessageAsync(response, Ct);
        Assert.Equal(7, answer.GetProperty("id").GetInt32());
        Assert.Equal(message, answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }
}
