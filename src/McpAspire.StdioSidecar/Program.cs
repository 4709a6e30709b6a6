using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);

// stdout carries the protocol and nothing else: every log line goes to stderr.
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");

builder.AddMcpAspireServer()
    .WithStdioServerTransport()
    .WithMcpAspireRequestIdGuard()
    .WithMcpAspireLocalFiles()
    .WithMcpAspireSessionRecording()
    .WithMcpAspireTelemetry()
    .WithMcpAspireRateLimiting();

// The host stops on SIGTERM, and the SDK stops it when the client closes stdin; either way telemetry is flushed on the way out.
await builder.Build().RunAsync();
