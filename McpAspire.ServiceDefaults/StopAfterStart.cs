using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// SIGTERM, SIGINT or SIGQUIT during start-up stops the host once it has started, so a platform that scales a replica
/// in while it starts sees exit code 0 and an Information line, not a start-up failure. The framework's console lifetime
/// cancels start-up instead: Kestrel's bind then throws, the host logs "Hosting failed to start" as an Error and the
/// process aborts (exit 134). A start-up still running <see cref="HostOptions.ShutdownTimeout"/> after the signal is
/// cancelled as the framework would. Signals after start-up, and every message of the console lifetime, are unchanged.
/// </summary>
internal static partial class StopAfterStart
{
    public static void Replace(IServiceCollection services)
    {
        // Only the console lifetime, as hosts in containers and spawned sidecars have; a host that chose another keeps it.
        if (services.LastOrDefault(d => d.ServiceType == typeof(IHostLifetime))?.ImplementationType == typeof(ConsoleLifetime))
        {
            services.Replace(ServiceDescriptor.Singleton<IHostLifetime, Lifetime>());
        }
    }

    private sealed class Lifetime(
        IOptions<ConsoleLifetimeOptions> options,
        IHostEnvironment environment,
        IHostApplicationLifetime application,
        IOptions<HostOptions> hostOptions,
        ILoggerFactory loggerFactory) : IHostLifetime, IDisposable
    {
        private readonly ConsoleLifetime _console = new(
            options,
            environment,
            new DeferredStop(application, hostOptions.Value.ShutdownTimeout, loggerFactory.CreateLogger("Microsoft.Hosting.Lifetime")),
            hostOptions,
            loggerFactory);

        public Task WaitForStartAsync(CancellationToken cancellationToken) => _console.WaitForStartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => _console.StopAsync(cancellationToken);

        public void Dispose() => _console.Dispose();
    }

    /// <summary>The application lifetime as the console lifetime sees it: a stop it asks for before start-up completes waits for it.</summary>
    private sealed class DeferredStop(IHostApplicationLifetime application, TimeSpan limit, ILogger logger) : IHostApplicationLifetime
    {
        private int _deferred;

        public CancellationToken ApplicationStarted => application.ApplicationStarted;

        public CancellationToken ApplicationStopping => application.ApplicationStopping;

        public CancellationToken ApplicationStopped => application.ApplicationStopped;

        public void StopApplication()
        {
            if (application.ApplicationStarted.IsCancellationRequested || application.ApplicationStopping.IsCancellationRequested)
            {
                application.StopApplication();
                return;
            }

            if (Interlocked.Exchange(ref _deferred, 1) == 1)
            {
                return;
            }

            LogStopDuringStartUp(logger);
            // Runs at once if start-up completed since the check above.
            application.ApplicationStarted.Register(application.StopApplication);
            _ = Task.Delay(limit, application.ApplicationStopping).ContinueWith(
                _ => application.StopApplication(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stop requested during start-up: the host stops as soon as it has started.")]
    private static partial void LogStopDuringStartUp(ILogger logger);
}
