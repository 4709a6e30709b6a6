using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpAspire.Tools.Files;

/// <summary>Resolves a requested path to a file inside a configured root, or refuses it.</summary>
public sealed class FileRootGuard(IOptions<FileRootsOptions> options)
{
    /// <summary>
    /// The full path of <paramref name="path"/> (absolute, or relative to the first root) once it is proven to be inside a root,
    /// symbolic links resolved. Throws an <see cref="McpException"/> naming the argument otherwise.
    /// </summary>
    public string Resolve(string path)
    {
        var roots = options.Value.Roots;
        if (roots.Count == 0)
        {
            throw new McpException($"read_file has no roots configured; set {FileRootsOptions.SectionName}:Roots to allow reading.");
        }

        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new McpException("Argument 'path' must be a non-empty file path.");
        }

        var full = Path.GetFullPath(path, roots[0]);
        var real = RealPath(full);
        if (!roots.Any(root => IsUnder(full, root) && IsUnder(real, RealPath(Path.GetFullPath(root)))))
        {
            throw new McpException($"Argument 'path' is outside the allowed roots ({string.Join(", ", roots)}).");
        }

        return full;
    }

    /// <summary>The path with every symbolic link along it resolved, so a link inside a root cannot lead out of it.</summary>
    private static string RealPath(string fullPath)
    {
        var current = Path.GetPathRoot(fullPath)!;
        foreach (var segment in fullPath[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo entry = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (entry.LinkTarget is not null)
            {
                current = entry.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? current;
            }
        }

        return current;
    }

    private static bool IsUnder(string path, string root)
    {
        var normalizedRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return path.StartsWith(normalizedRoot, StringComparison.Ordinal);
    }
}
