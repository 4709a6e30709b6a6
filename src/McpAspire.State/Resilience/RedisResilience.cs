using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using StackExchange.Redis;

namespace McpAspire.State.Resilience;

/// <summary>
/// Polly around every Redis call: a timeout and a circuit breaker shared by all of them (so an outage fails fast
/// everywhere at once), and retries for idempotent reads only. A write is never retried blindly: it either succeeds
/// once or the caller is told it failed. When the breaker first opens it logs one Error saying why (the failure's
/// innermost message: a refused password, a certificate that does not validate, nothing listening; or no answer within
/// the operation timeout); a different cause later in the same outage is logged at Information, and so is Redis
/// answering again. Never the connection string, so never a password. A timeout while this host's thread pool has a
/// long queue is not counted against Redis (<see cref="BusyHostQueue"/>): the host is late, not Redis. One per host,
/// registered by <c>AddMcpAspireState</c>; <see cref="SharedRedis"/> is the same pipeline with the deployment's keys.
/// </summary>
public sealed partial class RedisResilience
{
    /// <summary>
    /// Work items queued on the thread pool past which a timeout is taken for this host's own doing, not Redis's: a host
    /// that has just accepted thousands of streams runs its Redis calls' continuations late, and they time out while
    /// Redis answers on time. Far above a busy host's usual queue (a few dozen items under full load here).
    /// </summary>
    internal const long BusyHostQueue = 1_000;

    private readonly ILogger<RedisResilience> _logger;
    private readonly TimeSpan _operationTimeout;
    private readonly Func<long> _queuedWork;
    private string? _cause;

    private readonly ResiliencePipeline _writes;
    private readonly ResiliencePipeline _reads;

    internal RedisResilience(IOptions<McpAspireStateOptions> options, TimeProvider timeProvider, ILogger<RedisResilience> logger)
        : this(options, timeProvider, logger, static () => ThreadPool.PendingWorkItemCount)
    {
    }

    /// <summary>With <paramref name="queuedWork"/> telling how much work is queued on this host (the thread pool's queue).</summary>
    internal RedisResilience(IOptions<McpAspireStateOptions> options, TimeProvider timeProvider, ILogger<RedisResilience> logger, Func<long> queuedWork)
    {
        _logger = logger;
        _queuedWork = queuedWork;
        _operationTimeout = options.Value.OperationTimeout;

        _writes = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = arguments => ValueTask.FromResult(IsRedisFailure(arguments.Outcome.Exception)),
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(2),
                OnOpened = opened =>
                {
                    IsBroken = true;
                    Unreachable(opened.Outcome.Exception);
                    return default;
                },
                OnClosed = _ =>
                {
                    IsBroken = false;
                    Reachable();
                    return default;
                },
            })
            .AddTimeout(options.Value.OperationTimeout)
            .Build();

        _reads = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisConnectionException>().Handle<RedisTimeoutException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddPipeline(_writes)
            .Build();
    }

    /// <summary>True while the circuit is open: Redis failed recently and calls fail fast.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>
    /// Runs a write once, never retried: it completes, or throws a <see cref="StateUnavailableException"/> whose message
    /// says whether the change may still be applied (<paramref name="operation"/> names it for the caller).
    /// </summary>
    public async ValueTask<T> WriteAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await _writes.ExecuteAsync(Bounded(write), cancellationToken);
        }
        catch (Exception ex) when (IsTimeout(ex))
        {
            throw StateUnavailableException.OutcomeUnknown(operation, ex);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw StateUnavailableException.NotChanged(operation, ex);
        }
    }

    /// <summary>Runs a read, retried on a transient failure; throws a <see cref="StateUnavailableException"/> when Redis does not answer.</summary>
    public async ValueTask<T> ReadAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await _reads.ExecuteAsync(Bounded(read), cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw StateUnavailableException.ReadFailed(operation, ex);
        }
    }

    /// <summary>Runs a call through the shared breaker without translating failures: for callers with their own fallback.</summary>
    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        _writes.ExecuteAsync(Bounded(call), cancellationToken);

    /// <summary>
    /// Stops waiting when the pipeline's timeout cancels, whether or not the call honours the token: Polly's timeout
    /// only cancels, and StackExchange.Redis commands take no token, so a command stuck on a connection that is being
    /// torn down would otherwise hold its caller for as long as that takes. A write abandoned this way is reported
    /// as possibly applied (<see cref="StateUnavailableException.OutcomeUnknown"/>).
    /// </summary>
    private static Func<CancellationToken, ValueTask<T>> Bounded<T>(Func<CancellationToken, ValueTask<T>> call) =>
        cancellationToken => new ValueTask<T>(call(cancellationToken).AsTask().WaitAsync(cancellationToken));

    private void Unreachable(Exception? failure)
    {
        var cause = CauseOf(failure);
        var previous = Interlocked.Exchange(ref _cause, cause);
        if (previous is null)
        {
            LogUnreachable(cause);
        }
        else if (previous != cause)
        {
            LogStillUnreachable(cause);
        }
    }

    /// <summary>
    /// What an operator can act on: the innermost failure's message, without what differs from call to call (a
    /// timeout's command and figures; StackExchange.Redis's suffix of command, key and queue figures, a key naming a
    /// principal), so one outage has one cause.
    /// </summary>
    private string CauseOf(Exception? failure)
    {
        if (failure is null || IsTimeout(failure))
        {
            return $"no answer within {_operationTimeout.TotalSeconds:0.###} s";
        }

        while (failure.InnerException is not null)
        {
            failure = failure.InnerException;
        }

        var message = failure.Message;
        var suffix = message.IndexOf(": ", StringComparison.Ordinal);
        if (suffix <= 0 || !message.Contains(", mc: ", StringComparison.Ordinal))
        {
            return message;
        }

        // The suffix also held why the connection failed; its kind stays (UnableToConnect, SocketClosed, AuthenticationFailure…).
        return failure is RedisConnectionException connection ? $"{message[..suffix]} ({connection.FailureType})" : message[..suffix];
    }

    private void Reachable()
    {
        if (Interlocked.Exchange(ref _cause, null) is not null)
        {
            LogReachable();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis cannot be reached, so calls to it fail fast for a while: {Cause}")]
    private partial void LogUnreachable(string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis cannot be reached still, for another cause now: {Cause}")]
    private partial void LogStillUnreachable(string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again")]
    private partial void LogReachable();

    private static bool IsTimeout(Exception ex) => ex is TimeoutException or TimeoutRejectedException;

    /// <summary>
    /// Whether a failed call counts against Redis in the breaker: any Redis error, and a timeout unless this host's own
    /// queue was long enough to explain it (<see cref="BusyHostQueue"/>); the caller is told of the failure either way.
    /// </summary>
    private bool IsRedisFailure(Exception? failure)
    {
        if (failure is null || !IsStoreFailure(failure))
        {
            return false;
        }

        if (IsTimeout(failure) && _queuedWork() is var queued && queued > BusyHostQueue)
        {
            LogBusyTimeout(queued);
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A Redis call timed out with {Queued} work items queued on this host: not counted against Redis")]
    private partial void LogBusyTimeout(long queued);

    /// <summary>Whether <paramref name="ex"/> says the store failed (a Redis error, a timeout, the open circuit), not the caller.</summary>
    public static bool IsStoreFailure(Exception ex) =>
        ex is RedisException or TimeoutException or TimeoutRejectedException or BrokenCircuitException;
}
