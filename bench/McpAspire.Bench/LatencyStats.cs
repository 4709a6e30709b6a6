using System.Diagnostics;
using ModelContextProtocol.Client;

namespace McpAspire.Bench;

internal sealed record LatencyStats(double PerSecond, double P50, double P90, double P99);
