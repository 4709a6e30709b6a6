using System.Diagnostics;
using McpAspire.Testing;

namespace McpAspire.Template.Tests;

/// <summary>
/// <c>dotnet new mcpaspire -n Contoso.Inventory</c>, installed from this repository: every project, namespace, file,
/// key prefix, server name and client configuration name takes the new name, the whole new solution builds with no
/// warnings, and its tool set's tests pass.
/// </summary>
public sealed class TemplateTests
{
    private const string NewName = "Contoso.Inventory";

    /// <summary>The old name in a case the template does not replace, written in two parts so this file itself does not hold it.</summary>
    private const string OldNameMixedCase = "mcp" + "Aspire";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewSolutionUnderAnotherName_HasOnlyTheNewName_BuildsWholeWithNoWarnings_AndItsToolSetTestsPass()
    {
        Assert.SkipUnless(File.Exists(Path.Combine(RepoLayout.Root, ".template.config", "template.json")),
            "This solution was made from the template; the template itself lives in the repository it was made from.");
        var work = Directory.CreateTempSubdirectory("mcpaspire-template-");
        try
        {
            var hive = Path.Combine(work.FullName, "hive");
            var output = Path.Combine(work.FullName, NewName);
            await RunAsync(work.FullName, "new", "install", RepoLayout.Root, "--debug:custom-hive", hive);
            await RunAsync(work.FullName, "new", "mcpaspire", "-n", NewName, "-o", output, "--debug:custom-hive", hive);

            Assert.True(File.Exists(Path.Combine(output, "Contoso.Inventory.sln")), "no Contoso.Inventory.sln");
            Assert.True(File.Exists(Path.Combine(output, "src", "Contoso.Inventory.Tools", "ContosoInventoryToolSet.cs")), "no renamed tool set");
            Assert.True(File.Exists(Path.Combine(output, "Contoso.Inventory.AppHost", "Contoso.Inventory.AppHost.csproj")), "no renamed AppHost");
            // The scan finds the old name where it is (a file planted for the purpose, in a dot-folder, in another case), then
            // finds it nowhere else.
            var planted = Path.Combine(output, ".planted", "MCPASPIRE.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(planted)!);
            await File.WriteAllTextAsync(planted, $"uses {OldNameMixedCase}", Ct);
            Assert.Equal([$".planted{Path.DirectorySeparatorChar}MCPASPIRE.txt (its path)", $".planted{Path.DirectorySeparatorChar}MCPASPIRE.txt:1: uses {OldNameMixedCase}"], Leftovers(output));
            Directory.Delete(Path.GetDirectoryName(planted)!, recursive: true);
            Assert.True(File.Exists(Path.Combine(output, ".gitignore")), "no .gitignore");
            var leftovers = Leftovers(output);
            Assert.True(leftovers.Count == 0, $"The old name is left in:{Environment.NewLine}{string.Join(Environment.NewLine, leftovers.Take(20))}");
            var options = await File.ReadAllTextAsync(Path.Combine(output, "src", "Contoso.Inventory.State", "ContosoInventoryStateOptions.cs"), Ct);
            Assert.Contains("KeyPrefix { get; set; } = \"contoso-inventory\";", options, StringComparison.Ordinal);
            var toolSet = await File.ReadAllTextAsync(Path.Combine(output, "src", "Contoso.Inventory.Tools", "ContosoInventoryToolSet.cs"), Ct);
            Assert.Contains("public static string Name => \"ContosoInventory\";", toolSet, StringComparison.Ordinal);

            // The whole new solution (hosts and AppHost too) on one build node: the other suites run beside this one on the same cores.
            var build = await RunAsync(output, "build", "Contoso.Inventory.sln", "-m:1", "--nologo", "-clp:NoSummary");
            Assert.True(IsWarning("src/A.cs(1,1): warning CS1030: #warning: 'x' [src/A.csproj]"));
            Assert.DoesNotContain(build.Split('\n'), IsWarning);
            Assert.True(File.Exists(Path.Combine(output, "Contoso.Inventory.AppHost", "bin", "Debug", "net10.0", "Contoso.Inventory.AppHost.dll")), "the AppHost was not built");
            await RunAsync(output, "test", "--no-build", "--project", Path.Combine(output, "tests", "Contoso.Inventory.Tools.Tests"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Every path under <paramref name="output"/> but git's own, and every line of those files, that has the old name in any letter case.</summary>
    private static List<string> Leftovers(string output)
    {
        var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(output, file).Split(Path.DirectorySeparatorChar).Contains(".git", StringComparer.Ordinal))
            .ToList();
        return
        [
            .. files.Select(file => Path.GetRelativePath(output, file)).Where(path => path.Contains("mcpaspire", StringComparison.OrdinalIgnoreCase)).Select(path => $"{path} (its path)"),
            .. files.SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
                .Where(l => l.line.Contains("mcpaspire", StringComparison.OrdinalIgnoreCase))
                .Select(l => $"{Path.GetRelativePath(output, l.file)}:{l.index + 1}: {l.line.Trim()}"),
        ];
    }

    /// <summary>A line of MSBuild's console output that reports a warning.</summary>
    private static bool IsWarning(string line) => line.Contains(": warning ", StringComparison.Ordinal);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> and returns what it printed; fails the test with that output unless it exits 0.</summary>
    private static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(CommandTimeout, Ct);
        var output = $"{await stdout}{await stderr}";
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:{Environment.NewLine}{output}");
        return output;
    }
}
