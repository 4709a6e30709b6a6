using System.ComponentModel;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>One tool argument and one structured result of every shape McpAspire.Generators describes at build time.</summary>
[McpServerToolType]
public sealed class ShapesTools
{
    [McpServerTool(Name = "shapes", Title = "Shapes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Takes one argument of each shape.")]
    public static string Shapes(
        [Description("A count.")] int count,
        double ratio,
        bool flag,
        long big,
        DateTimeOffset when,
        DateTime local,
        Guid id,
        Uri link,
        long[] numbers,
        IReadOnlyList<string> names,
        List<string?> maybeNames,
        ShapeRecord record,
        [Description("Optional.")] string? note = null,
        int limit = 10,
        bool verbose = false,
        string mode = "fast",
        int? optionalCount = null,
        CancellationToken cancellationToken = default) =>
        $"{count} {ratio} {flag} {big} {when:O} {id} {link} {numbers.Length} {names.Count} {maybeNames.Count} {record.Name} {note} {limit} {verbose} {mode} {optionalCount}";

    // No name: the SDK derives "get_shaped_result" from the method's.
    [McpServerTool(UseStructuredContent = true)]
    [Description("Returns a structured result of every shape.")]
    public static Task<ShapeResult> GetShapedResultAsync(string title, IProgress<ModelContextProtocol.ProgressNotificationValue> progress) =>
        Task.FromResult(new ShapeResult(title, null, [new ShapeRecord("a", 1, [DateTimeOffset.UnixEpoch])], Guid.Empty, null, 0.5));
}

public sealed record ShapeRecord([property: Description("A name.")] string Name, int? Size, IReadOnlyList<DateTimeOffset> Times);

public sealed record ShapeResult(string Title, string? Subtitle, IReadOnlyList<ShapeRecord> Items, Guid Id, DateTimeOffset? At, double Score);
