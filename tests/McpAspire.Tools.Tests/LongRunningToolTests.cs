using McpAspire.Tools;
using ModelContextProtocol;

namespace McpAspire.Tools.Tests;

public sealed class LongRunningToolTests
{
    private readonly LongRunningTool _tool = new(TimeProvider.System);

    [Fact]
    public async Task Run_ReportsProgressAfterEveryStep()
    {
        var reports = new RecordingProgress();

        var result = await _tool.RunAsync(reports.ReportAsync, steps: 3, delayMs: 0, TestContext.Current.CancellationToken);

        Assert.Equal("Completed 3 steps.", result);
        Assert.Equal([1f, 2f, 3f], reports.Values.Select(v => v.Progress));
        Assert.All(reports.Values, v => Assert.Equal(3f, v.Total));
    }

    [Fact]
    public async Task Run_CancelledAfterFirstStep_StopsWithoutFurtherProgress()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reports = new RecordingProgress(onReport: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _tool.RunAsync(reports.ReportAsync, steps: 100, delayMs: 10, cts.Token));

        Assert.Single(reports.Values);
    }

    [Theory]
    [InlineData(0, 10, "'steps'")]
    [InlineData(1001, 10, "'steps'")]
    [InlineData(1, -1, "'delayMs'")]
    [InlineData(1, 60_001, "'delayMs'")]
    public async Task Run_OutOfRangeArgument_ThrowsNamingIt(int steps, int delayMs, string argument)
    {
        var error = await Assert.ThrowsAsync<McpException>(() => _tool.RunAsync(new RecordingProgress().ReportAsync, steps, delayMs, TestContext.Current.CancellationToken));
        Assert.Contains(argument, error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingProgress(Action? onReport = null)
    {
        public List<ProgressNotificationValue> Values { get; } = [];

        public Task ReportAsync(ProgressNotificationValue value)
        {
            Values.Add(value);
            onReport?.Invoke();
            return Task.CompletedTask;
        }
    }
}
