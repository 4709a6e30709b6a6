using System.ComponentModel.DataAnnotations;

namespace McpAspire.Abstractions;

/// <summary>Settings shared by every host of the tool set.</summary>
public sealed class McpAspireOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "McpAspire";

    /// <summary>This process's replica id, as <c>whoami</c> and telemetry report it. Defaults to host name and process id.</summary>
    [Required]
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The principal of a caller that did not authenticate: the local user on stdio.</summary>
    [Required, RegularExpression(PrincipalPattern, ErrorMessage = "McpAspire:LocalPrincipal must be 1-128 characters of letters, digits, '.', '_', '-', '@' or ':'.")]
    public string LocalPrincipal { get; set; } = "local-user";

    /// <summary>How many <c>subscriptions/listen</c> streams one principal may hold open on one replica.</summary>
    [Range(1, 1_000, ErrorMessage = "McpAspire:MaxListenStreamsPerPrincipal must be between 1 and 1000.")]
    public int MaxListenStreamsPerPrincipal { get; set; } = 16;

    /// <summary>
    /// How long a task's record is kept after its last change: a finished task's result can be read this long, then
    /// the task is unknown. Reported to clients as the task's <c>ttlMs</c>.
    /// </summary>
    [TimeSpanRange("00:00:01", "7.00:00:00", ErrorMessage = "McpAspire:TaskTtl must be between 1 second and 7 days.")]
    public TimeSpan TaskTtl { get; set; } = TimeSpan.FromHours(1);

    internal const string PrincipalPattern = @"^[A-Za-z0-9._@:\-]{1,128}$";
}
