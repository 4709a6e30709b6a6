using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Distributed.Tests;

/// <summary>The deployment as <c>dotnet run --project McpAspire.AppHost</c> starts it, driven through Aspire.Hosting.Testing.</summary>
[Collection(DeploymentFixture.Collection)]
public sealed partial class AppHostTests(DeploymentFixture deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RemoteHosts_AreHealthy()
    {
        foreach (var resource in new[] { "sse-frontend", "http-worker" })
        {
            using var http = deployment.App.CreateHttpClient(resource, "http");
            Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/health", UriKind.Relative), Ct));
        }
    }

    [Theory]
    [InlineData("sse-frontend")]
    [InlineData("http-worker")]
    public async Task RemoteHosts_ServeHttps_WhereADevelopmentCertificateExists(string resource)
    {
        var https = deployment.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ProjectResource>().Single(r => r.Name == resource).Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == "https");
        Assert.SkipUnless(https, "No ASP.NET Core development certificate on this machine: the AppHost runs the hosts on http only.");

        using var handler = new HttpClientHandler
        {
            // The development certificate, trusted or not on this machine, is the one expected here.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Extensions["1.3.6.1.4.1.311.84.1.1"] is not null,
        };
        using var http = new HttpClient(handler) { BaseAddress = deployment.App.GetEndpoint(resource, "https") };
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/health", UriKind.Relative), Ct));
    }

    [Theory]
    [InlineData("sse-frontend")]
    [InlineData("http-worker")]
    public async Task RemoteHosts_RefuseAWrongKey_EvenFromLoopbackInDevelopment(string resource)
    {
        using var http = deployment.App.CreateHttpClient(resource, "http");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/mcp", UriKind.Relative))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("X-API-Key", "not-the-generated-key");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LocalRun_HasTheResourcesTheManifestLeavesOut()
    {
        var names = deployment.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(r => r.Name).ToList();

        Assert.All(ManifestTests.LocalOnly, name => Assert.Contains(name, names));
    }

    [Theory]
    [InlineData("sse-frontend", "/mcp", HttpTransportMode.StreamableHttp)]
    [InlineData("sse-frontend", "/sse", HttpTransportMode.Sse)]
    [InlineData("http-worker", "/mcp", HttpTransportMode.StreamableHttp)]
    public async Task EveryRemoteEndpoint_AnswersAnMcpClientThroughTheAppHost(string resource, string path, HttpTransportMode mode)
    {
        await using var client = await McpClient.CreateAsync(deployment.Transport(deployment.Endpoint(resource, path), mode), cancellationToken: Ct);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = resource + path }, cancellationToken: Ct);

        Assert.Equal(resource + path, string.Concat(echo.Content.OfType<TextContentBlock>().Select(b => b.Text)));
    }

    [Fact]
    public async Task NoteWrittenThroughTheFrontEnd_IsReadThroughTheWorker_ViaTheSharedCache()
    {
        var name = $"aspire-{Guid.NewGuid():N}";
        await using (var frontEnd = await ConnectAsync("sse-frontend"))
        {
            var put = await frontEnd.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = "through Aspire" }, cancellationToken: Ct);
            Assert.NotEqual(true, put.IsError);
        }

        await using var worker = await ConnectAsync("http-worker");
        var get = await worker.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        var text = string.Concat(get.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.Equal("through Aspire", JsonDocument.Parse(text).RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public async Task NotesClear_ThroughTheWorkersEndpoint_AsksTheUserThenDeletes()
    {
        var asked = new List<string>();
        var options = new McpClientOptions
        {
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (request, _) =>
                {
                    asked.Add(request!.Message);
                    return ValueTask.FromResult(new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonSerializer.SerializeToElement(true) } });
                },
            },
        };
        await using var worker = await McpClient.CreateAsync(deployment.Transport(deployment.Endpoint("http-worker", "/mcp")), options, cancellationToken: Ct);
        await worker.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = $"clear-{Guid.NewGuid():N}", ["content"] = "to be cleared" }, cancellationToken: Ct);

        // Two rounds: the second carries the user's answer and the state the first sealed. Which of the worker's two
        // replicas each round reaches is the endpoint proxy's choice; that a round confirmed on the other replica opens the
        // state is proven in Transport's MultiRoundTripTests.NotesClear_AskedOnOneReplica_ConfirmedOnTheOther_DeletesEveryNote.
        var cleared = await worker.CallToolAsync("notes_clear", cancellationToken: Ct);

        Assert.Equal("2026-07-28", worker.NegotiatedProtocolVersion);
        Assert.Single(asked);
        Assert.StartsWith("Deleted ", string.Concat(cleared.Content.OfType<TextContentBlock>().Select(b => b.Text)), StringComparison.Ordinal);
        var left = await worker.CallToolAsync("notes_list", cancellationToken: Ct);
        Assert.Equal("[]", string.Concat(left.Content.OfType<TextContentBlock>().Select(b => b.Text)));
    }

    [Fact]
    public async Task Probe_SeesEveryTransportAnswer_StdioSidecarIncluded()
    {
        await deployment.App.ResourceNotifications.WaitForResourceHealthyAsync("probe", Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct);
        using var http = deployment.App.CreateHttpClient("probe");
        var expected = new Dictionary<string, bool> { ["sse"] = true, ["stdio"] = true, ["streamable-http (stateful)"] = true, ["streamable-http (stateless)"] = true };
        Dictionary<string, bool> transports = [];

        // A round on a loaded machine can miss; what matters is a round in which every transport answered.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        do
        {
            var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("/status", UriKind.Relative), Ct)).RootElement;
            transports = status.EnumerateArray().ToDictionary(r => r.GetProperty("transport").GetString()!, r => r.GetProperty("succeeded").GetBoolean());
            if (transports.Count == expected.Count && transports.All(t => t.Value))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(expected, transports);
    }

    [Fact]
    public async Task McpJson_PointsADesktopClientAtTheSidecarOnTheSameCacheAndAtTheRemoteEndpoints()
    {
        var path = Path.Combine(Projects.McpAspire_AppHost.ProjectPath, "mcp.json");
        var servers = JsonDocument.Parse(await File.ReadAllTextAsync(path, Ct)).RootElement.GetProperty("servers");

        var local = servers.GetProperty("mcpaspire-local");
        var cache = await deployment.App.GetConnectionStringAsync("cache", Ct);
        Assert.Equal(cache, local.GetProperty("env").GetProperty("ConnectionStrings__cache").GetString());

        // Remote calls here come with the AppHost's API key (principal apikey:default); the sidecar takes that principal to share notes.
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = local.GetProperty("command").GetString()!,
            Arguments = [.. local.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)],
            EnvironmentVariables = new Dictionary<string, string?> { ["ConnectionStrings__cache"] = cache, ["McpAspire__LocalPrincipal"] = "apikey:default" },
        });
        var name = $"desktop-{Guid.NewGuid():N}";
        await using (var frontEnd = await ConnectAsync("sse-frontend"))
        {
            await frontEnd.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = name, ["content"] = "written remotely" }, cancellationToken: Ct);
        }

        await using var sidecar = await McpClient.CreateAsync(transport, cancellationToken: Ct);
        var read = await sidecar.CallToolAsync("notes_get", new Dictionary<string, object?> { ["name"] = name }, cancellationToken: Ct);
        Assert.Contains("written remotely", string.Concat(read.Content.OfType<TextContentBlock>().Select(b => b.Text)), StringComparison.Ordinal);

        foreach (var remote in new[] { "mcpaspire-remote", "mcpaspire-worker" })
        {
            var endpoint = new Uri(servers.GetProperty(remote).GetProperty("url").GetString()!);
            await using var client = await McpClient.CreateAsync(deployment.Transport(endpoint), cancellationToken: Ct);
            Assert.Equal("McpAspire", client.ServerInfo?.Name);
        }
    }

    [Fact]
    public async Task Inspector_IsInstalledFromItsLockfile_AndServesItsWebUi()
    {
        await deployment.App.ResourceNotifications.WaitForResourceAsync("inspector", KnownResourceStates.Running, Ct).WaitAsync(TimeSpan.FromMinutes(5), Ct);
        using var http = deployment.App.CreateHttpClient("inspector", "http");

        var deadline = DateTime.UtcNow.AddMinutes(1);
        HttpResponseMessage? response = null;
        while (response is not { IsSuccessStatusCode: true } && DateTime.UtcNow < deadline)
        {
            response?.Dispose();
            try
            {
                response = await http.GetAsync(new Uri("/", UriKind.Relative), Ct);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), Ct); // node is still starting to listen
            }
        }

        using (response)
        {
            Assert.NotNull(response);
            Assert.True(response.IsSuccessStatusCode, $"Inspector answered {response.StatusCode}");
            Assert.Contains("<html", await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        }

        var servers = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Projects.McpAspire_AppHost.ProjectPath, "inspector", "servers.json"), Ct))
            .RootElement.GetProperty("mcpServers");
        Assert.EndsWith("/mcp", servers.GetProperty("mcpaspire-frontend").GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/mcp", servers.GetProperty("mcpaspire-worker").GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    private async Task<McpClient> ConnectAsync(string resource) =>
        await McpClient.CreateAsync(deployment.Transport(deployment.Endpoint(resource, "/mcp")), cancellationToken: Ct);
}
