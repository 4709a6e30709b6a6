using System.Diagnostics;
using System.Runtime.InteropServices;

namespace McpAspire.Testing;

/// <summary>A project the tests and the benchmark publish, and the variable through which .ci/run hands over its Native AOT publish.</summary>
/// <param name="Folder">The repository folder the project is in (<c>src</c>, <c>tests</c> or <c>bench</c>).</param>
/// <param name="Name">The project's name, which is also its executable's.</param>
/// <param name="PublishedVariable">Names a Native AOT executable already published from this commit, used instead of publishing one.</param>
public sealed record PublishedProject(string Folder, string Name, string PublishedVariable)
{
    public static readonly PublishedProject Sidecar = new("src", "McpAspire.StdioSidecar", "MCPASPIRE_NATIVE_AOT_SIDECAR");

    public static readonly PublishedProject Worker = new("src", "McpAspire.HttpWorker", "MCPASPIRE_NATIVE_AOT_WORKER");

    public static readonly PublishedProject ConformanceHost = new("tests", "McpAspire.ConformanceHost", "MCPASPIRE_NATIVE_AOT_CONFORMANCE_HOST");

    /// <summary>The benchmark's baselines (the SDK's plain <c>MapMcp</c>): what Native AOT gives a server with nothing of McpAspire's.</summary>
    public static readonly PublishedProject Baselines = new("bench", "McpAspire.Bench.Baselines", "MCPASPIRE_NATIVE_AOT_BASELINES");
}

/// <summary>
/// Publishes a project for this machine into a fresh folder, as the README's commands do: ReadyToRun
/// (framework-dependent, precompiled) or Native AOT (one self-contained executable; the compiler links with clang).
/// </summary>
public static class NativePublish
{
    /// <summary>Whether Native AOT can link here: it needs clang (Debian's <c>clang</c> and <c>zlib1g-dev</c>).</summary>
    public static bool CanPublishNativeAot { get; } =
        Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "clang"))) is true;

    public const string NoNativeAot = "Native AOT needs clang and zlib1g-dev (apt); .ci/run installs them.";

    public static Task<string> NativeAotAsync(PublishedProject project, CancellationToken cancellationToken) =>
        PublishAsync(project, "mcpaspire-aot-", ["-p:PublishAot=true"], cancellationToken);

    public static Task<string> ReadyToRunAsync(PublishedProject project, CancellationToken cancellationToken) =>
        PublishAsync(project, "mcpaspire-r2r-", ["--self-contained", "false", "-p:PublishAot=false", "-p:PublishReadyToRun=true"], cancellationToken);

    /// <summary>The published executable; the publish's own output when it fails.</summary>
    private static async Task<string> PublishAsync(PublishedProject project, string prefix, string[] properties, CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory(prefix).FullName;
        var path = Path.Combine(RepoLayout.Root, project.Folder, project.Name, project.Name + ".csproj");
        using var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", path, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, .. properties, "-o", output, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        var executable = Path.Combine(output, project.Name);
        return publish.ExitCode == 0 && File.Exists(executable)
            ? executable
            : throw new InvalidOperationException($"dotnet publish {project.Name} {string.Join(' ', properties)} failed ({publish.ExitCode}): {await log}{await errors}");
    }
}

/// <summary>
/// A project's Native AOT executable for a test class: the one .ci/run published from this commit (its variable), else
/// one published now (and deleted afterwards); none where clang is missing, and the tests that need it are skipped.
/// </summary>
public sealed class NativeAotExecutable : IDisposable
{
    private readonly Task<string>? _publish;
    private readonly bool _owned;

    public NativeAotExecutable(PublishedProject project)
    {
        if (Environment.GetEnvironmentVariable(project.PublishedVariable) is { Length: > 0 } published)
        {
            _publish = Task.FromResult(published);
        }
        else if (NativePublish.CanPublishNativeAot)
        {
            _publish = NativePublish.NativeAotAsync(project, CancellationToken.None);
            _owned = true;
        }
    }

    public bool Available => _publish is not null;

    /// <summary>The executable; the calling test is skipped where Native AOT cannot link.</summary>
    public async Task<string> PathAsync(CancellationToken cancellationToken)
    {
        Assert.SkipWhen(_publish is null, NativePublish.NoNativeAot);
        return await _publish.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (_owned && _publish is { IsCompletedSuccessfully: true })
        {
            Directory.Delete(Path.GetDirectoryName(_publish.Result)!, recursive: true);
        }
    }
}
