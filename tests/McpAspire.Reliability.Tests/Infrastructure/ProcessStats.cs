using System.Globalization;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>Resident memory and thread count of a process, read from <c>/proc</c>.</summary>
internal readonly record struct ProcessStats(long ResidentKiB, int Threads)
{
    /// <summary>The process's figures now, or null once it has exited.</summary>
    public static ProcessStats? Of(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        long? Field(string name) =>
            lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line
                ? long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)
                : null;

        // A process that has exited but not been reaped (a zombie) has no memory to report.
        return Field("VmRSS") is { } resident && Field("Threads") is { } threads ? new ProcessStats(resident, (int)threads) : null;
    }

    /// <summary>This test process's children whose command line contains <paramref name="text"/> (the sidecars an SDK client spawned).</summary>
    public static IReadOnlyList<int> ChildrenRunning(string text)
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/{pid}/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
                if (parent == self && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal))
                {
                    children.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return children;
    }
}
