using System.Diagnostics;
using System.Text.RegularExpressions;
using McpAspire.Testing;

namespace McpAspire.Template.Tests;

/// <summary>
/// <c>dotnet new mcpaspire -n Contoso.Inventory</c> as a team runs it: McpAspire's libraries and the template packed at
/// this commit into a local feed, the template installed from its package. The new solution holds only the team's code
/// under the team's names and references McpAspire as packages; it builds with warnings as errors and its tests pass
/// (the AppHost's distributed test included). A tool added to it whose result type serialization lacks fails the build
/// with the fix named; with that line added, it builds and its test passes.
/// </summary>
public sealed partial class TemplateTests
{
    private const string NewName = "Contoso.Inventory";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    /// <summary>McpAspire's libraries, as packages: what the generated solution may name.</summary>
    private static readonly string[] Libraries =
        ["McpAspire.Abstractions", "McpAspire.State", "McpAspire.Hosting", "McpAspire.AuthorizationServer", "McpAspire.Aspire.Hosting"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewSolution_HoldsOnlyTheTeamsCode_BuildsFromTheLocalFeed_AndATeamAddsATool()
    {
        Assert.SkipUnless(File.Exists(Path.Combine(RepoLayout.Root, ".template.config", "template.json")),
            "This solution was made from the template; the template itself lives in the repository it was made from.");
        var work = Directory.CreateTempSubdirectory("mcpaspire-template-");
        // A version no earlier run packed, so NuGet's cache cannot answer with an older build of the packages.
        var version = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var artifacts = Path.Combine(work.FullName, "artifacts");
            foreach (var project in Libraries.Select(library => Path.Combine(RepoLayout.Root, "src", library)).Append(Path.Combine(RepoLayout.Root, "templates")))
            {
                await RunAsync(work.FullName, ["pack", project, "--artifacts-path", artifacts, "-o", feed, $"-p:McpAspireVersion={version}", "--nologo"]);
            }

            var hive = Path.Combine(work.FullName, "hive");
            var output = Path.Combine(work.FullName, NewName);
            await RunAsync(work.FullName, ["new", "install", Path.Combine(feed, $"McpAspire.Templates.{version}.nupkg"), "--debug:custom-hive", hive]);
            await RunAsync(work.FullName, ["new", "mcpaspire", "-n", NewName, "-o", output, "--debug:custom-hive", hive]);

            // Only the team's projects, under the team's names.
            Assert.Equal(
                [
                    "Contoso.Inventory.AppHost", "Contoso.Inventory.AppHost.Tests", "Contoso.Inventory.AuthServer", "Contoso.Inventory.HttpWorker",
                    "Contoso.Inventory.ServiceDefaults", "Contoso.Inventory.SseFrontEnd", "Contoso.Inventory.StdioSidecar", "Contoso.Inventory.Tools",
                    "Contoso.Inventory.Tools.Tests",
                ],
                Directory.EnumerateFiles(output, "*.csproj", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
            Assert.True(File.Exists(Path.Combine(output, "Contoso.Inventory.slnx")), "no Contoso.Inventory.slnx");
            Assert.True(File.Exists(Path.Combine(output, "src", "Contoso.Inventory.Tools", "ContosoInventoryToolSet.cs")), "no renamed tool set");
            Assert.Contains("public static string Name => \"ContosoInventory\";",
                await File.ReadAllTextAsync(Path.Combine(output, "src", "Contoso.Inventory.Tools", "ContosoInventoryToolSet.cs"), Ct), StringComparison.Ordinal);
            // Every host keeps its state under the team's own key prefix, the same for all four (the sidecar shares notes
            // with the remote hosts through it).
            foreach (var host in new[] { "StdioSidecar", "SseFrontEnd", "HttpWorker", "AuthServer" })
            {
                Assert.Contains("\"KeyPrefix\": \"contoso-inventory\"",
                    await File.ReadAllTextAsync(Path.Combine(output, "src", $"Contoso.Inventory.{host}", "appsettings.json"), Ct), StringComparison.Ordinal);
            }

            Assert.Contains("<PackageReference Include=\"McpAspire.Hosting\" />",
                await File.ReadAllTextAsync(Path.Combine(output, "src", "Contoso.Inventory.HttpWorker", "Contoso.Inventory.HttpWorker.csproj"), Ct), StringComparison.Ordinal);

            // No McpAspire source (a namespace of its own) and no McpAspire name but the packages': the scan finds one where it
            // is planted, then nowhere else.
            var planted = Path.Combine(output, "src", "Planted.cs");
            await File.WriteAllTextAsync(planted, "namespace McpAspire.Hosting.Copied;\n// uses McpAspire.Probe\n// mcpaspire-sample\n", Ct);
            Assert.Equal(
                [
                    $"src{Path.DirectorySeparatorChar}Planted.cs:1: namespace McpAspire.Hosting.Copied;",
                    $"src{Path.DirectorySeparatorChar}Planted.cs:2: // uses McpAspire.Probe",
                    $"src{Path.DirectorySeparatorChar}Planted.cs:3: // mcpaspire-sample",
                ],
                Leftovers(output));
            File.Delete(planted);
            var leftovers = Leftovers(output);
            Assert.True(leftovers.Count == 0, $"McpAspire's own names or code are left in:{Environment.NewLine}{string.Join(Environment.NewLine, leftovers.Take(20))}");

            // The packages come from this commit's feed (nuget.org for everything else).
            await File.WriteAllTextAsync(Path.Combine(output, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                    <add key="mcpaspire-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, Ct);
            string[] pinned = [$"-p:McpAspireVersion={version}"];

            // One build node: the other suites run beside this one on the same cores.
            await RunAsync(output, ["build", "-warnaserror", "-m:1", "--nologo", .. pinned]);
            await RunAsync(output, ["test", "--no-build", .. pinned]);

            // A team adds a tool: one file and one line. Its result type is not in the tool set's JSON context, so the build
            // fails and says which line to add where.
            var tools = Path.Combine(output, "src", "Contoso.Inventory.Tools");
            await File.WriteAllTextAsync(Path.Combine(tools, "StockTool.cs"), """
                using System.ComponentModel;
                using ModelContextProtocol.Server;

                namespace Contoso.Inventory.Tools;

                [McpServerToolType]
                public sealed class StockTool
                {
                    [McpServerTool(Name = "stock_level", ReadOnly = true), Description("The stock level of an item.")]
                    public static StockLevel Get([Description("The item's SKU.")] string sku) => new(sku, sku.Length);
                }

                public sealed record StockLevel(string Sku, int Count);
                """, Ct);
            await EditAsync(Path.Combine(tools, "ContosoInventoryToolSet.cs"),
                "            .WithMcpAspireTools<EchoTools>(ToolsJson.Options)\n",
                "            .WithMcpAspireTools<EchoTools>(ToolsJson.Options)\n            .WithMcpAspireTools<StockTool>(ToolsJson.Options)\n");
            var failed = await RunAsync(output, ["build", "src/Contoso.Inventory.Tools", "--nologo", .. pinned], expectFailure: true);
            Assert.Contains(
                "error MCPASP001: Tool method 'Get' returns 'StockLevel', which no JsonSerializerContext in this project lists, so it cannot be serialized under Native AOT. Add [JsonSerializable(typeof(StockLevel))] to ToolsJsonContext.",
                failed, StringComparison.Ordinal);

            await EditAsync(Path.Combine(tools, "ToolsJsonContext.cs"),
                "[JsonSerializable(typeof(Note))]\n",
                "[JsonSerializable(typeof(Note))]\n[JsonSerializable(typeof(StockLevel))]\n");
            await File.WriteAllTextAsync(Path.Combine(output, "tests", "Contoso.Inventory.Tools.Tests", "StockToolTests.cs"), """
                using System.Text.Json;
                using ModelContextProtocol.Client;
                using ModelContextProtocol.Protocol;

                namespace Contoso.Inventory.Tools.Tests;

                public sealed class StockToolTests
                {
                    [Fact]
                    public async Task StockLevel_AnswersForTheSku()
                    {
                        var ct = TestContext.Current.CancellationToken;
                        await using var server = await ToolSetServer.StartAsync(ct);

                        var result = await server.Client.CallToolAsync("stock_level", new Dictionary<string, object?> { ["sku"] = "ABC-123" }, cancellationToken: ct);

                        var level = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text).RootElement;
                        Assert.Equal("ABC-123", level.GetProperty("sku").GetString());
                        Assert.Equal(7, level.GetProperty("count").GetInt32());
                    }
                }
                """, Ct);
            await RunAsync(output, ["build", "-warnaserror", "-m:1", "--nologo", .. pinned]);
            var tested = await RunAsync(output, ["test", "--no-build", "--project", Path.Combine("tests", "Contoso.Inventory.Tools.Tests"), .. pinned]);
            Assert.Contains("failed: 0", tested, StringComparison.Ordinal);
            Assert.Contains("succeeded: 5", tested, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
            ForgetPackages(version);
        }
    }

    /// <summary>
    /// Every line under <paramref name="output"/> that holds McpAspire's code (a namespace of its own) or names McpAspire
    /// other than by one of its packages: a project or type of its own (<c>McpAspire.Xyz</c>, <c>McpAspire_Xyz</c>), or
    /// the lower-case name the template renames.
    /// </summary>
    private static List<string> Leftovers(string output) =>
    [
        .. Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(l => l.line.TrimStart().StartsWith("namespace McpAspire", StringComparison.Ordinal)
                || ForeignName().Matches(l.line).Any(m => !Libraries.Any(library => m.Value.StartsWith(library, StringComparison.Ordinal)))
                || l.line.Contains("mcpaspire", StringComparison.Ordinal))
            .Select(l => $"{Path.GetRelativePath(output, l.file)}:{l.index + 1}: {l.line.Trim()}"),
    ];

    [GeneratedRegex(@"McpAspire[._][A-Za-z.]+")]
    private static partial Regex ForeignName();

    private static async Task EditAsync(string file, string find, string replacement)
    {
        var text = await File.ReadAllTextAsync(file, Ct);
        Assert.True(text.Contains(find, StringComparison.Ordinal), $"{file} no longer has: {find}");
        await File.WriteAllTextAsync(file, text.Replace(find, replacement, StringComparison.Ordinal), Ct);
    }

    /// <summary>The packages this run packed, out of NuGet's global folder: their version is never asked for again.</summary>
    private static void ForgetPackages(string version)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Libraries.Append("McpAspire.Templates"))
        {
            var folder = Path.Combine(packages, id.ToLowerInvariant(), version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> and returns what it printed; fails the test with that output unless it exits 0 (or, with <paramref name="expectFailure"/>, unless it does not).</summary>
    private static async Task<string> RunAsync(string directory, IEnumerable<string> arguments, bool expectFailure = false)
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
        Assert.True((process.ExitCode == 0) != expectFailure,
            $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}{(expectFailure ? " (a failure was expected)" : "")}:{Environment.NewLine}{output}");
        return output;
    }
}
