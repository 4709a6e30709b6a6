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
    public TimeSpan Minimum { get; } = TimeSpan.ParseExact(minimum, "c", CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.ParseExact(maximum, "c", CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);
}
