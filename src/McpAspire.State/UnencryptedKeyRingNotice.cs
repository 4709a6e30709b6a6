using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpAspire.State;

/// <summary>
/// In Development without <c>McpAspire:State:KeyEncryptionCertificatePath</c>, says once at start that the key ring in
/// Redis is kept unencrypted, and why that is fine there.
/// </summary>
internal sealed partial class UnencryptedKeyRingNotice(ILogger<UnencryptedKeyRingNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogUnencrypted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "The Data Protection key ring that seals request state is kept unencrypted in Redis: this is Development, " +
        "where the Redis is the developer's own. Set McpAspire:State:KeyEncryptionCertificatePath to encrypt it, as a deployment does.")]
    private partial void LogUnencrypted();
}
