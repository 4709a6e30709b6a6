namespace McpAspire.Probe;

internal sealed record TransportResult(string Transport, string Endpoint, bool Succeeded, double LatencyMs, string? Error, DateTimeOffset At);
