using McpAspire.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Spawned in the user's workspace: settings are read once, from beside the executable (reloadable ones would watch
// every folder of the workspace before the first answer).
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

builder.AddMcpAspireServer<McpAspireToolSet>()
    .WithMcpAspireStdioTransport()
    .WithMcpAspireLocalFiles()
    .WithMcpAspireTasks()
    .WithMcpAspireListenStreams()
    .WithMcpAspireResourceSubscriptions()
    .WithMcpAspireRateLimiting()
    .WithMcpAspireSessionRecording()
    .WithMcpAspireTelemetry();

// The host stops on SIGTERM or when the client closes stdin (calls in flight are cancelled); either way telemetry is flushed.
await builder.Build().RunAsync();
