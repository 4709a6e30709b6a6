using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Transport.Tests;

/// <summary>
/// What the security suites share: both hosts running as in production (<see cref="SecuredHostsFixture"/>), one set
/// of them for the whole collection, and the requests and clients the suites send.
/// </summary>
public abstract class SecuredHostsTests(HostsFixture developmentHosts, SecuredHostsFixture hosts)
{
    protected HostsFixture DevelopmentHosts => developmentHosts;

    protected SecuredHostsFixture Hosts => hosts;

    protected const string ApiKeyHeader = "X-API-Key";

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected Uri Https(bool frontEnd, string path = "/mcp", bool ipv6 = false) =>
        new(SecuredHostsFixture.Address(hosts.Host(frontEnd), "https", ipv6), path);

    protected Uri Http(bool frontEnd, string path = "/mcp", bool ipv6 = false) =>
        new(SecuredHostsFixture.Address(hosts.Host(frontEnd), "http", ipv6), path);

    protected static HttpRequestMessage Initialize(Uri uri, string? apiKey = null, string? bearer = null)
    {
        var request = RawMcp.Post(uri, RawMcp.Initialize);
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    protected static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    protected async Task<McpClient> ConnectAsync(TransportKind kind, Dictionary<string, string> headers)
    {
        var (endpoint, mode) = kind switch
        {
            TransportKind.LegacySse => (Https(true, "/sse"), HttpTransportMode.Sse),
            TransportKind.StatefulHttp => (Https(true), HttpTransportMode.StreamableHttp),
            _ => (Https(false), HttpTransportMode.StreamableHttp),
        };
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode, AdditionalHeaders = headers },
            hosts.Client(),
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = Clients.ClientName, Version = "1.0.0" } }, cancellationToken: Ct);
    }

    /// <summary>A body sent chunked, with no Content-Length, as a streaming client sends it.</summary>
    protected sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
