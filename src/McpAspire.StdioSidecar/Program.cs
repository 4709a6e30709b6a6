using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A desktop client spawns the sidecar in the user's workspace. Its settings live beside the executable, not there, and
// are read once: reloading them would put a watch on every folder under the content root before the first answer
// (seconds in a large repository, and it can run out of inotify watches).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
    Configuration = new ConfigurationManager { ["hostBuilder:reloadConfigOnChange"] = "false" },
});

// stdout carries the protocol and nothing else: every log line goes to stderr.
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");

builder.AddMcpAspireServer()
    .WithMcpAspireStdioTransport()
    .WithMcpAspireLocalFiles()
    .WithMcpAspireSessionRecording()
    .WithMcpAspireTelemetry()
    .WithMcpAspireRateLimiting();

// The host stops on SIGTERM or when the client closes stdin (calls in flight are cancelled); either way telemetry is flushed.
await builder.Build().RunAsync();
