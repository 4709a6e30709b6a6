using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpAspire.Distributed.Tests;

/// <summary>
/// Watches an AppHost's resources while it starts, until disposed: the latest snapshot of each replica and its last log
/// lines, and the first of <paramref name="required"/> to end with an error, so that a start which cannot finish fails at
/// once and says why.
/// </summary>
internal sealed class StartWatch(IReadOnlyCollection<string> required) : IDisposable
{
    private const int LogLinesKept = 20;

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, CustomResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the replica's id when a required resource fails to start or exits with a non-zero code.</summary>
    public Task<string> Failed => _failed.Task;

    public void Start(DistributedApplication app) =>
        _ = WatchStatesAsync(app.ResourceNotifications, app.Services.GetRequiredService<ResourceLoggerService>(), _stop.Token);

    /// <summary>Every replica's state and failing health checks, and the last log lines of each one not running healthy.</summary>
    public string Report()
    {
        var lines = new List<string>();
        foreach (var (id, snapshot) in _snapshots.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            lines.Add($"  {id}: {snapshot.State?.Text ?? "no state"}, health {snapshot.HealthStatus?.ToString() ?? "none"}" +
                (snapshot.ExitCode is { } code ? $", exit code {code}" : "") +
                string.Concat(snapshot.HealthReports.Where(r => r.Status is not HealthStatus.Healthy)
                    .Select(r => $"; {r.Name}: {r.Status?.ToString() ?? "not run"} {r.Description ?? r.ExceptionText}")));
            if ((snapshot.State?.Text != KnownResourceStates.Running || snapshot.HealthStatus is not HealthStatus.Healthy) &&
                _logs.TryGetValue(id, out var log))
            {
                lines.AddRange(log.Select(line => $"    | {line}"));
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task WatchStatesAsync(ResourceNotificationService notifications, ResourceLoggerService logs, CancellationToken ct)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(ct))
            {
                if (_logs.TryAdd(e.ResourceId, new ConcurrentQueue<string>()))
                {
                    _ = WatchLogsAsync(logs, e.ResourceId, ct);
                }

                _snapshots[e.ResourceId] = e.Snapshot;
                if (required.Contains(e.Resource.Name) &&
                    (e.Snapshot.State?.Text == KnownResourceStates.FailedToStart || e.Snapshot.ExitCode is not (null or 0)))
                {
                    _failed.TrySetResult(e.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchLogsAsync(ResourceLoggerService logs, string resourceId, CancellationToken ct)
    {
        var kept = _logs[resourceId];
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(ct))
            {
                foreach (var line in batch)
                {
                    kept.Enqueue(line.Content);
                    while (kept.Count > LogLinesKept && kept.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
