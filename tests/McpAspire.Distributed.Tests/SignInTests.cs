using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using McpAspire.Testing;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Distributed.Tests;

/// <summary>
/// Signing in as MCP clients do, through the AppHost: clients with no credentials discover the authorization server,
/// register, send the user to sign in at the development identity provider and consent, and call as that user.
/// </summary>
[Collection(DeploymentFixture.Collection)]
public sealed class SignInTests(DeploymentFixture deployment)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object WhoAmI = new { name = "whoami" };

    [Theory]
    [InlineData("http-worker", "/mcp", "streamable-http", "dcr")]
    [InlineData("sse-frontend", "/mcp", "streamable-http", "dcr")]
    [InlineData("sse-frontend", "/sse", "sse", "dcr")]
    [InlineData("http-worker", "/mcp", "streamable-http", "cimd")]
    [InlineData("sse-frontend", "/mcp", "streamable-http", "cimd")]
    public async Task TypeScriptClient_WithNoCredentials_SignsInAsAlice_AndCallsAsHer(string resource, string path, string transport, string registration)
    {
        using var browser = new OAuthBrowser();

        var result = await TypeScriptOAuthClient.RunAsync(transport, deployment.Endpoint(resource, path), registration, browser, "alice", [WhoAmI], Ct, deployment.Certificates);

        Assert.True(result.GetProperty("signedIn").GetBoolean(), result.ToString());
        Assert.Equal("alice", result.GetProperty("results")[0].GetProperty("principal").GetString());
        Assert.Single(browser.SignInsPosted);
        Assert.Single(browser.ConsentsAnswered);
        Assert.Contains("whoami", result.GetProperty("scope").GetString()!.Split(' '));
        Assert.True(result.GetProperty("hasRefreshToken").GetBoolean(), result.ToString());
        var client = result.GetProperty("registration").GetString()!;
        if (registration == "cimd")
        {
            Assert.StartsWith("https://127.0.0.1:", client, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("mcp-", client, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bob_SignedInTheSameWay_SeesHisOwnNotes_AndNotAlices()
    {
        var endpoint = deployment.Endpoint("http-worker", "/mcp");
        var alicesNote = $"alice-{Guid.NewGuid():N}";
        var bobsNote = $"bob-{Guid.NewGuid():N}";
        object[] List = [new { name = "notes_list" }];
        using (var alice = new OAuthBrowser())
        {
            // Alice's note is there for her: what bob does not see exists.
            var hers = await TypeScriptOAuthClient.RunAsync("streamable-http", endpoint, "dcr", alice, "alice",
                [new { name = "notes_put", arguments = new { name = alicesNote, content = "alice's" } }, .. List], Ct);
            Assert.Contains(alicesNote, hers.GetProperty("results")[1].ToString(), StringComparison.Ordinal);
        }

        using var bob = new OAuthBrowser();
        var seen = await TypeScriptOAuthClient.RunAsync("streamable-http", endpoint, "dcr", bob, "bob",
            [new { name = "notes_put", arguments = new { name = bobsNote, content = "bob's" } }, .. List, WhoAmI], Ct);

        var notes = seen.GetProperty("results")[1].ToString();
        Assert.Contains(bobsNote, notes, StringComparison.Ordinal);
        Assert.DoesNotContain(alicesNote, notes, StringComparison.Ordinal);
        Assert.Equal("bob", seen.GetProperty("results")[2].GetProperty("principal").GetString());
    }

    [Fact]
    public async Task CSharpSdkClient_WithItsOAuthProvider_SignsInAsAlice_OnTheWorker_At20260728()
    {
        using var browser = new OAuthBrowser();
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = deployment.Endpoint("http-worker", "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            OAuth = new ClientOAuthOptions
            {
                RedirectUri = new Uri(OAuthCodeFlow.RedirectUri),
                DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "C# SDK test client" },
                AuthorizationCallbackHandler = async (context, cancellationToken) =>
                {
                    var callback = await browser.RunAsync(context.AuthorizationUri, "alice", cancellationToken, stopAt: context.RedirectUri.AbsoluteUri);
                    return new AuthorizationResult { Code = callback.Parameter("code"), State = callback.Parameter("state"), Iss = callback.Parameter("iss") };
                },
            },
        });

        await using var client = await McpClient.CreateAsync(transport, cancellationToken: Ct);
        var whoami = await client.CallToolAsync("whoami", cancellationToken: Ct);

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Equal("alice", whoami.StructuredContent?.GetProperty("principal").GetString());
        Assert.Single(browser.SignInsPosted);
    }

    [Fact]
    public async Task Inspector_InChromium_SignsInAsAlice_ListsTheTools_AndCallsEcho()
    {
        const string Chromium = "/usr/bin/chromium";
        Assert.SkipUnless(File.Exists(Chromium), "Debian's chromium is not installed (apt-get install chromium): the Inspector is driven in a real browser.");
        var running = await deployment.App.ResourceNotifications.WaitForResourceAsync("inspector",
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.Urls.Any(u => u.Url.Contains("MCP_INSPECTOR_API_TOKEN", StringComparison.Ordinal)), Ct)
            .WaitAsync(TimeSpan.FromMinutes(5), Ct);
        var url = running.Snapshot.Urls.First(u => u.Url.Contains("MCP_INSPECTOR_API_TOKEN", StringComparison.Ordinal)).Url;
        using var http = new HttpClient();
        await Until.ValueAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url), Ct);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // node is still starting to listen
            }
        }, serving => serving, _ => "the Inspector does not serve its page yet", Ct, TimeSpan.FromMinutes(1));

        var (exit, stdout, output) = await NodeTooling.RunNodeAsync(["inspector-signin.mjs", url, "mcpaspire-worker", "alice"], TimeSpan.FromMinutes(3), Ct);

        Assert.True(exit == 0, output);
        var result = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.True(result.GetProperty("signIn").GetBoolean(), result.ToString());
        var visited = result.GetProperty("visited").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains($"{deployment.App.GetEndpoint("dev-identity", "http").GetLeftPart(UriPartial.Authority)}/account/login", visited);
        Assert.Contains($"{deployment.App.GetEndpoint("auth", "http").GetLeftPart(UriPartial.Authority)}/connect/authorize", visited);
        Assert.True(result.GetProperty("tools").GetInt32() > 1, result.ToString());
        Assert.Equal("hello from the Inspector", result.GetProperty("echo").GetString());
        Assert.Equal("alice", result.GetProperty("principal").GetString());
    }

    [Theory]
    [InlineData("http-worker")]
    [InlineData("sse-frontend")]
    public async Task AnonymousCaller_FromLoopback_Gets401PointingAtTheAuthorizationServer(string resource)
    {
        using var http = deployment.App.CreateHttpClient(resource, "http");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/mcp", UriKind.Relative))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");

        using var response = await http.SendAsync(request, Ct);
        var metadataUrl = response.Headers.WwwAuthenticate.ToString().Split("resource_metadata=\"")[1].TrimEnd('"');
        var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(metadataUrl), Ct)).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"{deployment.App.GetEndpoint("auth", "http")}", metadata.GetProperty("authorization_servers")[0].GetString());
        Assert.Equal(deployment.Endpoint(resource, "/mcp").AbsoluteUri, metadata.GetProperty("resource").GetString());
    }

    [Fact]
    public async Task TokenForTheWorker_IsRefusedAtTheFrontEnd_AsAnotherAudience()
    {
        using var browser = new OAuthBrowser();
        using var http = new HttpClient();
        var flow = new OAuthCodeFlow(deployment.App.GetEndpoint("auth", "http"), http);
        var worker = deployment.Endpoint("http-worker", "/mcp").AbsoluteUri;
        var tokens = await flow.SignInAsync(browser, "alice", worker, "echo whoami", Ct);

        using var atWorker = await PostPingAsync(http, new Uri(worker), tokens.GetProperty("access_token").GetString()!);
        using var atFrontEnd = await PostPingAsync(http, deployment.Endpoint("sse-frontend", "/mcp"), tokens.GetProperty("access_token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, atWorker.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, atFrontEnd.StatusCode);
        Assert.Contains("error=\"invalid_token\"", atFrontEnd.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("another audience", await atFrontEnd.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostPingAsync(HttpClient http, Uri endpoint, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", token);
        return await http.SendAsync(request, Ct);
    }
}
