using System.ComponentModel;
using McpAspire.Tools.Files;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

/// <summary>Reads local files under configured roots. Served by the stdio sidecar only: a remote host has no business reading its own disk for a caller.</summary>
[McpServerToolType]
public sealed class ReadFileTool(FileRootGuard guard, IOptions<FileRootsOptions> options)
{
    [McpServerTool(Name = "read_file", Title = "Read a local file", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Reads a UTF-8 text file under the sidecar's configured roots. Relative paths are taken from the first root.")]
    public async Task<string> ReadAsync(
        [Description("The file's path: absolute, or relative to the first root.")] string path,
        CancellationToken cancellationToken)
    {
        var full = guard.Resolve(path);
        var file = new FileInfo(full);
        if (!file.Exists)
        {
            throw new McpException($"Argument 'path': no file at '{path}'.");
        }

        if (file.Length > options.Value.MaxBytes)
        {
            throw new McpException($"Argument 'path': the file is {file.Length} bytes; the limit is {options.Value.MaxBytes}.");
        }

        return await File.ReadAllTextAsync(full, cancellationToken);
    }
}
