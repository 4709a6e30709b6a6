using System.ComponentModel.DataAnnotations;
using McpAspire.Abstractions;

namespace McpAspire.State;

/// <summary>How McpAspire keeps its shared state in Redis (<c>McpAspire:State</c>).</summary>
public sealed class McpAspireStateOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "McpAspire:State";

    /// <summary>Prefix of every key, one per deployment, so deployments can share a Redis.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9._\-]{1,32}$", ErrorMessage = "McpAspire:State:KeyPrefix must be 1-32 letters, digits, '.', '_' or '-'.")]
    public string KeyPrefix { get; set; } = "mcpaspire";

    /// <summary>Sliding expiry of a session record: it lives this long after the session was last seen.</summary>
    [TimeSpanRange("00:00:10", "7.00:00:00", ErrorMessage = "McpAspire:State:SessionTtl must be between 10 seconds and 7 days.")]
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// A replica records the same session as seen at most once in this interval, so a busy session costs no Redis round
    /// trip per request for its bookkeeping; last-seen times are this coarse. Zero records every request.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:10:00", ErrorMessage = "McpAspire:State:SessionTouchInterval must be between 0 and 10 minutes.")]
    public TimeSpan SessionTouchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one Redis operation may take before it counts as a failure.</summary>
    [TimeSpanRange("00:00:00.050", "00:00:30", ErrorMessage = "McpAspire:State:OperationTimeout must be between 50 ms and 30 s.")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a replica counts as alive after its last heartbeat (it beats three times per period). A killed replica's
    /// streams and legacy sessions are given up this long after its last beat at most.
    /// </summary>
    [TimeSpanRange("00:00:01", "00:05:00", ErrorMessage = "McpAspire:State:ReplicaTtl must be between 1 second and 5 minutes.")]
    public TimeSpan ReplicaTtl { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How long the events of a Streamable HTTP stream are kept for a client to resume from, after the last one.</summary>
    [TimeSpanRange("00:00:10", "1.00:00:00", ErrorMessage = "McpAspire:State:EventStreamTtl must be between 10 seconds and 1 day.")]
    public TimeSpan EventStreamTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a multi round-trip request's sealed <c>requestState</c> is accepted after it was issued: the time a user
    /// has to answer a question the tool asked.
    /// </summary>
    [TimeSpanRange("00:00:05", "1.00:00:00", ErrorMessage = "McpAspire:State:RequestStateLifetime must be between 5 seconds and 1 day.")]
    public TimeSpan RequestStateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A PEM file of the certificate authority that signed the Redis server's certificate, for a connection string with
    /// <c>ssl=true</c> to a Redis whose certificate the system does not trust (a private CA). Default: the system's
    /// trust store. Checked while the host is built: a file that is not a PEM certificate stops it.
    /// </summary>
    public string? TlsCaCertificatePath { get; set; }

    /// <summary>
    /// A PEM certificate whose key encrypts the Data Protection key ring (the keys that seal request state) where it is
    /// kept, in Redis; with <see cref="KeyEncryptionPrivateKeyPath"/>, the PEM file of its private key (or none, when the
    /// certificate's file holds the key too). Every replica needs the same one to read the ring. Default: none, and the
    /// ring is kept unencrypted, readable by whoever can read Redis: said once at start in Development, and warned
    /// about elsewhere. Checked while the host is built: files that do not hold a certificate with its key stop it.
    /// </summary>
    public string? KeyEncryptionCertificatePath { get; set; }

    /// <summary>The PEM file of <see cref="KeyEncryptionCertificatePath"/>'s private key, when it is a file of its own.</summary>
    public string? KeyEncryptionPrivateKeyPath { get; set; }

    /// <summary>
    /// The same certificate as PEM text, the certificate and its private key together: for a platform that hands a
    /// secret to a container as an environment variable (a Container Apps secret, a Key Vault reference) rather than as a
    /// file. Used when <see cref="KeyEncryptionCertificatePath"/> is not set.
    /// </summary>
    public string? KeyEncryptionCertificatePem { get; set; }

    /// <summary>The most events kept per stream; older ones are dropped, and resuming from before them fails clearly.</summary>
    [Range(10, 100_000, ErrorMessage = "McpAspire:State:MaxEventsPerStream must be between 10 and 100000.")]
    public int MaxEventsPerStream { get; set; } = 2_000;
}
