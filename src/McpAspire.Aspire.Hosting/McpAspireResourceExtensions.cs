using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>The shared cache and the settings a deployment gives every remote host.</summary>
public static class McpAspireResourceExtensions
{
    /// <summary>
    /// Adds the <paramref name="name"/> cache. <c>McpAspire:Cache</c> = <c>external</c> takes an existing Redis (a
    /// managed one, over TLS): its connection string is a secret parameter, which azd asks for. <c>redis</c> or
    /// <c>garnet</c> forces one of the others; the default (<c>auto</c>) takes the Redis container when publishing or when
    /// a container runtime answers, else the embedded Garnet project, which exposes the same connection string. A
    /// published Redis container keeps its data on a named volume, with the append-only file synced every second.
    /// </summary>
    public static McpAspireCache AddMcpAspireCache(this IDistributedApplicationBuilder builder, string name)
    {
        var choice = builder.Configuration["McpAspire:Cache"] ?? "auto";
        var useContainer = choice switch
        {
            "external" => (bool?)null,
            "redis" => true,
            "garnet" => false,
            "auto" => builder.ExecutionContext.IsPublishMode || ContainerRuntimeAnswers(),
            _ => throw new InvalidSettingException($"McpAspire:Cache must be 'auto', 'redis', 'garnet' or 'external', not '{choice}'."),
        };

        if (useContainer is null)
        {
            return new McpAspireCache(builder.AddConnectionString(name), null);
        }

        if (useContainer.Value)
        {
            var redis = builder.AddRedis(name);
            if (builder.ExecutionContext.IsPublishMode)
            {
                // A restart or a new revision keeps every note, session, stream and rate-limit window: the data on a named
                // volume, every write in the append-only file, synced once a second.
                // The container runs `sh -c "redis-server …"`: the options go into that command line.
                redis.WithDataVolume().WithArgs(context =>
                {
                    var at = context.Args.Select((a, i) => a is string command && command.StartsWith("redis-server ", StringComparison.Ordinal) ? i : -1).Max();
                    context.Args[at] = at >= 0
                        ? $"{context.Args[at]} --appendonly yes --appendfsync everysec"
                        : throw new InvalidOperationException("The Redis container's command line has changed shape: add the append-only options where it now starts redis-server.");
                });
            }

            return new McpAspireCache(redis, redis);
        }

        // The Garnet server shipped beside this assembly (the package copies it to the AppHost's output), run with the
        // AppHost's own runtime.
        var garnet = builder.AddExecutable($"{name}-garnet", "dotnet", GarnetServerDirectory, Path.Combine(GarnetServerDirectory, "McpAspire.Cache.dll"))
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "Cache__Port")
            .ExcludeFromManifest();
        var endpoint = garnet.GetEndpoint("tcp");

        // Healthy once Garnet answers PING, so hosts start against a cache that serves and the dashboard shows it.
        var healthCheck = $"{name}-garnet-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
                var stream = tcp.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
                var reply = new byte[7];
                var read = await stream.ReadAtLeastAsync(reply, 5, throwOnEndOfStream: false, cancellationToken);
                return System.Text.Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("Garnet did not answer PING.");
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                return HealthCheckResult.Unhealthy("Garnet is not listening yet.", ex);
            }
        });
        garnet.WithHealthCheck(healthCheck);
        var connection = builder.AddConnectionString(name, ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"));
        return new McpAspireCache(connection, garnet);
    }

    /// <summary>Where the embedded Garnet server is: <c>mcpaspire-cache/</c> beside this assembly.</summary>
    private static string GarnetServerDirectory =>
        Path.Combine(Path.GetDirectoryName(typeof(McpAspireResourceExtensions).Assembly.Location) ?? AppContext.BaseDirectory, "mcpaspire-cache");

    /// <summary>Points a host at the cache and holds its start until the cache runs.</summary>
    public static IResourceBuilder<ProjectResource> WithMcpAspireCache(this IResourceBuilder<ProjectResource> project, McpAspireCache cache) =>
        cache.Server is { } server ? project.WithReference(cache.Connection).WaitFor(server) : project.WithReference(cache.Connection);

    /// <summary>In publish mode only, sets <c>AllowedHosts</c> from <paramref name="allowedHosts"/>; a local run keeps appsettings' loopback names.</summary>
    public static IResourceBuilder<ProjectResource> WithPublishedAllowedHosts(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> allowedHosts) =>
        project.ApplicationBuilder.ExecutionContext.IsPublishMode ? project.WithEnvironment("AllowedHosts", allowedHosts) : project;

    /// <summary>
    /// Deployed, a host keeps one trace in <paramref name="ratio"/> (the OpenTelemetry SDK's own sampler settings,
    /// parent-based: a trace a caller sampled is kept whole across every process it crosses); metrics and the access log
    /// are not sampled. Locally every trace goes to the dashboard. Exporting every span costs the worker a share of its
    /// throughput that the benchmark's rows (c) and (e) measure.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublishedTraceSampling(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> ratio) =>
        project.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? project.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio").WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio)
            : project;

    /// <summary>
    /// Tells a resource where the built stdio sidecar <typeparamref name="TSidecar"/> is (<c>McpAspire:Probe:SidecarPath</c>),
    /// to spawn it as its child.
    /// </summary>
    /// <typeparam name="TSidecar">The sidecar project, as the AppHost's project reference names it (<c>Projects.*</c>).</typeparam>
    public static IResourceBuilder<ProjectResource> WithStdioSidecar<TSidecar>(this IResourceBuilder<ProjectResource> project)
        where TSidecar : IProjectMetadata, new() =>
        project.WithEnvironment("McpAspire__Probe__SidecarPath", StdioSidecarPath<TSidecar>());

    /// <summary>
    /// The assembly of the stdio sidecar <typeparamref name="TSidecar"/> as the AppHost built it (same configuration),
    /// which the probe and desktop clients spawn with <c>dotnet</c>.
    /// </summary>
    /// <typeparam name="TSidecar">The sidecar project, as the AppHost's project reference names it (<c>Projects.*</c>).</typeparam>
    public static string StdioSidecarPath<TSidecar>()
        where TSidecar : IProjectMetadata, new()
    {
        var sidecar = new TSidecar().ProjectPath;
        var configuration = typeof(TSidecar).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        return Path.Combine(Path.GetDirectoryName(sidecar)!, "bin", configuration, "net10.0", Path.GetFileNameWithoutExtension(sidecar) + ".dll");
    }

    /// <summary>Whether <c>docker info</c> reaches a daemon within a few seconds; a client with no daemon is no runtime.</summary>
    private static bool ContainerRuntimeAnswers()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null)
            {
                return false;
            }

            if (!docker.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                docker.Kill();
                return false;
            }

            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker client at all
        }
    }
}
