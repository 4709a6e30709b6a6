using System.Diagnostics;
using System.Text;
using McpAspire.Testing;

namespace McpAspire.Bench;

/// <summary>Copies everything the benchmark prints into <c>bench/results/{date}-{commit}.md</c> (<c>-{sections}</c> added for a run of some sections).</summary>
internal sealed class ResultsFile : IDisposable
{
    private readonly TextWriter _console;
    private readonly StreamWriter _file;

    private ResultsFile(TextWriter console, StreamWriter file)
    {
        _console = console;
        _file = file;
    }

    public static ResultsFile Start(IReadOnlyCollection<string>? sections)
    {
        var folder = Directory.CreateDirectory(Path.Combine(RepoLayout.Root, "bench", "results"));
        var name = $"{DateTime.UtcNow:yyyy-MM-dd}-{Commit()}{(sections is null ? "" : "-" + string.Join('-', sections))}.md";
        var file = new StreamWriter(Path.Combine(folder.FullName, name), append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
        var results = new ResultsFile(Console.Out, file);
        Console.SetOut(new Tee(results._console, file));
        return results;
    }

    /// <summary>The short commit the run measured, with <c>+dirty</c> when the working tree has changes.</summary>
    public static string Commit()
    {
        try
        {
            var sha = Git("rev-parse --short HEAD");
            return Git("status --porcelain --untracked-files=no").Length > 0 ? sha + "+dirty" : sha;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    public void Dispose()
    {
        Console.SetOut(_console);
        _file.Dispose();
    }

    private static string Git(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = RepoLayout.Root, RedirectStandardOutput = true })!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return output;
    }

    private sealed class Tee(TextWriter first, TextWriter second) : TextWriter
    {
        public override Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void Write(string? value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void WriteLine(string? value)
        {
            first.WriteLine(value);
            second.WriteLine(value);
        }
    }
}
