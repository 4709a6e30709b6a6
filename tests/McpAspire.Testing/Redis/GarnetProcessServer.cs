using System.Diagnostics;
using System.Globalization;

namespace McpAspire.Testing;

/// <summary>
/// The embedded Garnet server the AppHost runs (McpAspire.Cache) as a child process: a standalone server on a machine
/// with only the .NET SDK. It keeps nothing across a restart.
/// </summary>
public sealed class GarnetProcessServer : RedisProcessServer
{
    public override string Name => "garnet-process";

    public override bool KeepsWritesAcrossRestarts => false;

    protected override ProcessStartInfo CreateStartInfo() =>
        new("dotnet", [RepoLayout.ProjectDll("McpAspire.Cache"), $"--Cache:Port={Port.ToString(CultureInfo.InvariantCulture)}"]);
}
