namespace McpAspire.Hosting.Security;

/// <summary>How the access log reaches the console (<c>McpAspire:Security:AccessLogConsole</c>).</summary>
public enum AccessLogConsole
{
    /// <summary>
    /// One compact line per request on standard output, written by a background writer in batches
    /// (<see cref="AccessLogConsoleProvider"/>): a few µs of the request's time instead of the console logger's ~100.
    /// </summary>
    Compact,

    /// <summary>Through the console logger, formatted as every other log line (its cost on every request: about 100 µs of CPU here).</summary>
    Formatted,

    /// <summary>Not on the console; OTLP and the file (<c>AccessLogPath</c>) still have it.</summary>
    Off,
}
