using System.Diagnostics;
using System.Runtime.InteropServices;

namespace McpAspire.Testing;

/// <summary>
/// Publishes the stdio sidecar for this machine into a fresh folder, as the README's commands do: ReadyToRun
/// (framework-dependent, precompiled) or Native AOT (one self-contained executable; the compiler links with clang).
/// </summary>
public static class SidecarPublish
{
    /// <summary>Whether Native AOT can link here: it needs clang (Debian's <c>clang</c> and <c>zlib1g-dev</c>).</summary>
    public static bool CanPublishNativeAot { get; } =
        Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "clang"))) is true;

    public static Task<string> NativeAotAsync(CancellationToken cancellationToken) =>
        PublishAsync("mcpaspire-aot-", ["-p:PublishAot=true"], cancellationToken);

    public static Task<string> ReadyToRunAsync(CancellationToken cancellationToken) =>
        PublishAsync("mcpaspire-r2r-", ["--self-contained", "false", "-p:PublishReadyToRun=true"], cancellationToken);

    /// <summary>The published executable; the publish's own output when it fails.</summary>
    private static async Task<string> PublishAsync(string prefix, string[] properties, CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory(prefix).FullName;
        var project = Path.Combine(RepoLayout.Root, "src", "McpAspire.StdioSidecar", "McpAspire.StdioSidecar.csproj");
        using var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, .. properties, "-o", output, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        var executable = Path.Combine(output, "McpAspire.StdioSidecar");
        return publish.ExitCode == 0 && File.Exists(executable)
            ? executable
            : throw new InvalidOperationException($"dotnet publish {string.Join(' ', properties)} failed ({publish.ExitCode}): {await log}{await errors}");
    }
}
