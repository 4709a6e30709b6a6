using System.Net;
using System.Text;
using McpAspire.Testing;
using ModelContextProtocol.Client;

namespace McpAspire.Transport.Tests;

/// <summary>What the authorization server tests do at the MCP hosts with the tokens they get.</summary>
internal static class AuthServerCalls
{
    /// <summary>whoami's principal, called with <paramref name="accessToken"/> by the C# SDK's client.</summary>
    public static async Task<string?> WhoAmIAsync(string resource, string accessToken, CancellationToken cancellationToken)
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(resource),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {accessToken}" },
        }), cancellationToken: cancellationToken);
        var whoami = await client.CallToolAsync("whoami", cancellationToken: cancellationToken);
        return whoami.StructuredContent?.GetProperty("principal").GetString();
    }

    /// <summary>A JSON-RPC ping with <paramref name="accessToken"/>: its status and <c>WWW-Authenticate</c>.</summary>
    public static async Task<(HttpStatusCode Status, string Challenge, string Body)> PingAsync(HttpClient http, string resource, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, resource)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString(), await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public static OAuthCodeFlow Flow(AuthServerFixture server, HttpClient http, int? replica = null) =>
        new(replica is { } index ? server.Replica(index) : server.Issuer, http);
}
