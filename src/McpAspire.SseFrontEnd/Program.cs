using McpAspire.Hosting;
using McpAspire.Tools;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");
builder.AddMcpAspireSecurity();
builder.AddMcpAspireServer<McpAspireToolSet>()
    .WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse)
    .WithMcpAspireScaleOut()
    .WithMcpAspireTasks()
    .WithMcpAspireListenStreams()
    .WithMcpAspireResourceSubscriptions()
    .WithMcpAspireRateLimiting()
    .WithMcpAspireSessionRecording()
    .WithMcpAspireTelemetry();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspire();

app.Run();
