namespace McpAspire.Tools.Files;

/// <summary>Where <c>read_file</c> may read: the stdio sidecar's local roots.</summary>
public sealed class FileRootsOptions
{
    public const string SectionName = "McpAspire:Files";

    /// <summary>Absolute directories; a path outside all of them is refused. Empty means read_file refuses everything.</summary>
    public IList<string> Roots { get; } = [];

    /// <summary>Largest file read_file returns, in bytes.</summary>
    public int MaxBytes { get; set; } = 1024 * 1024;
}
