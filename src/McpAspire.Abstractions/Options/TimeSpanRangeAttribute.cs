using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace McpAspire.Abstractions;

/// <summary>
/// A <see cref="TimeSpan"/> setting between two bounds (constant <c>c</c> format, e.g. <c>00:00:01</c>): what
/// <c>[Range(typeof(TimeSpan), …)]</c> says, without the type converter lookup that breaks under trimming.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    /// <summary>The least value allowed.</summary>
    public TimeSpan Minimum { get; } = TimeSpan.ParseExact(minimum, "c", CultureInfo.InvariantCulture);

    /// <summary>The greatest value allowed.</summary>
    public TimeSpan Maximum { get; } = TimeSpan.ParseExact(maximum, "c", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="value"/> is within the bounds; a value that is not a <see cref="TimeSpan"/> is left to other attributes.</summary>
    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);
}
