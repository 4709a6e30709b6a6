using System.Reflection;

namespace McpAspire.Testing;

/// <summary>Where the built hosts and the pinned npm clients are, found from the test assembly.</summary>
public static class RepoLayout
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string JsDirectory => Path.Combine(Root, "tests", "McpAspire.Transport.Tests", "js");

    /// <summary>The built entry assembly of a project under <paramref name="folder"/> (src or tests).</summary>
    public static string ProjectDll(string project, string folder = "src") =>
        Path.Combine(Root, folder, project, "bin", Configuration, "net10.0", project + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No McpAspire.sln above {AppContext.BaseDirectory}.");
    }
}
