using System.Text.Json;
using McpAspire.Testing;
using StackExchange.Redis;

namespace McpAspire.Transport.Tests;

/// <summary>
/// The Data Protection key ring that seals request state, as Redis holds it: encrypted with the certificate of
/// <c>McpAspire:State:KeyEncryptionCertificatePath</c> (or the PEM text of <c>KeyEncryptionCertificatePem</c>), which
/// every replica reads; kept unencrypted on purpose in
/// Development without one, said once at start instead of warned about.
/// </summary>
[Collection(SharedStateGroup.Name)]
public sealed class KeyRingEncryptionTests(SharedStateFixture state)
{
    private const string ConfirmedDeletion = """{"confirm":true}""";
    private const string DataProtectionWarning = "No XML encryptor configured";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("files")]
    [InlineData("pem-text")]
    public async Task WithACertificate_TheRingInRedisIsEncrypted_AndAnotherReplicaOpensWhatOneSealed(string given)
    {
        using var certificates = new TestCertificates();
        var environment = Deployment(out var ringKey);
        if (given == "files")
        {
            environment["McpAspire__State__KeyEncryptionCertificatePath"] = certificates.ServerCertificatePemPath;
            environment["McpAspire__State__KeyEncryptionPrivateKeyPath"] = certificates.ServerKeyPemPath;
        }
        else
        {
            // As a platform hands a secret over: one environment variable holding the certificate and its key.
            environment["McpAspire__State__KeyEncryptionCertificatePem"] =
                File.ReadAllText(certificates.ServerCertificatePemPath) + Environment.NewLine + File.ReadAllText(certificates.ServerKeyPemPath);
        }

        await using var a = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        await using var b = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);

        Assert.Equal("Deleted 1 note(s).", await SealOnAOpenOnBAsync(a, b));

        var ring = await RingAsync(ringKey);
        Assert.NotEmpty(ring);
        Assert.All(ring, key =>
        {
            Assert.Contains("EncryptedXmlDecryptor", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", key, StringComparison.Ordinal);
        });
        Assert.All(new[] { a, b }, host => Assert.DoesNotContain(DataProtectionWarning, host.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InDevelopmentWithout_TheRingIsKeptUnencrypted_SaidOnceAtStart_NotWarned()
    {
        var environment = Deployment(out var ringKey);
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        await using var a = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);
        await using var b = await HostProcess.StartAsync(RepoLayout.ProjectDll("McpAspire.HttpWorker"), environment, Ct);

        Assert.Equal("Deleted 1 note(s).", await SealOnAOpenOnBAsync(a, b));

        // The same look that finds no key material in an encrypted ring finds it here.
        var ring = await RingAsync(ringKey);
        Assert.NotEmpty(ring);
        Assert.All(ring, key => Assert.Contains("<value>", key, StringComparison.Ordinal));
        Assert.All(new[] { a, b }, host =>
        {
            Assert.Single(host.Output.Split(Environment.NewLine), line => line.Contains("key ring that seals request state is kept unencrypted in Redis", StringComparison.Ordinal));
            Assert.DoesNotContain(DataProtectionWarning, host.Output, StringComparison.Ordinal);
        });
    }

    /// <summary>The shared-state fixture's settings under a key prefix of this test's own, so its key ring is new.</summary>
    private Dictionary<string, string> Deployment(out RedisKey ringKey)
    {
        var prefix = $"k{Guid.NewGuid():N}"[..16];
        ringKey = $"{prefix}:dataprotection:{{keys}}";
        return new Dictionary<string, string>(state.Environment) { ["McpAspire__State__KeyPrefix"] = prefix };
    }

    /// <summary>One note, then notes_clear asked on <paramref name="a"/> (its state sealed there) and confirmed on <paramref name="b"/>.</summary>
    private static async Task<string> SealOnAOpenOnBAsync(HostProcess a, HostProcess b)
    {
        await using (var client = await SharedStateFixture.ConnectAsync(new Uri(a.BaseUri, "/mcp"), ModelContextProtocol.Client.HttpTransportMode.StreamableHttp, Ct))
        {
            var put = await client.CallToolAsync("notes_put", new Dictionary<string, object?> { ["name"] = "sealed", ["content"] = "to be cleared" }, cancellationToken: Ct);
            Assert.NotEqual(true, put.IsError);
        }

        using var http = new HttpClient();
        var asked = await SendAsync(http, ModernMcp.ToolCall(new Uri(a.BaseUri, "/mcp"), 1, "notes_clear"));
        var done = await SendAsync(http, ModernMcp.ToolCall(new Uri(b.BaseUri, "/mcp"), 2, "notes_clear",
            inputResponses: ModernMcp.Accept("confirm", ConfirmedDeletion), requestState: asked.RequestState()));
        return done.ToolText();
    }

    private async Task<string[]> RingAsync(RedisKey ringKey)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{state.CachePort}");
        return [.. (await redis.GetDatabase().ListRangeAsync(ringKey)).Select(key => key.ToString())];
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request, Ct))
        {
            return await RawMcp.ReadMessageAsync(response, Ct);
        }
    }
}
