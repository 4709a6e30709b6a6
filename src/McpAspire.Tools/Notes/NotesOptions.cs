using System.ComponentModel.DataAnnotations;
using McpAspire.Abstractions;

namespace McpAspire.Tools.Notes;

/// <summary>How notes are kept (<c>McpAspire:Notes</c>).</summary>
public sealed class NotesOptions
{
    public const string SectionName = "McpAspire:Notes";

    /// <summary>How long a principal's notes live after their last write.</summary>
    [TimeSpanRange("00:01:00", "365.00:00:00", ErrorMessage = "McpAspire:Notes:Ttl must be between 1 minute and 365 days.")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A cap on notes per principal, so one caller cannot fill the cache.</summary>
    [Range(1, 10_000, ErrorMessage = "McpAspire:Notes:MaxPerPrincipal must be between 1 and 10000.")]
    public int MaxPerPrincipal { get; set; } = 200;
}
