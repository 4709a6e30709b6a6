using McpAspire.Hosting;
using McpAspire.Tools;

var builder = WebApplication.CreateBuilder(args);

// Run once per mode (--Conformance:Mode=Stateless or StatefulWithLegacySse): one MapMcp cannot serve both.
var mode = builder.Configuration.GetValue("Conformance:Mode", McpHttpMode.StatefulWithLegacySse);

builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");
var server = builder.AddMcpAspireServer<McpAspireToolSet>()
    .WithMcpAspireHttpTransport(mode)
    .WithMcpAspireTasks()
    .WithMcpAspireListenStreams()
    .WithMcpAspireResourceSubscriptions()
    .WithConformanceFixtures();
if (mode is McpHttpMode.StatefulWithLegacySse)
{
    server.WithMcpAspireScaleOut();
}

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspire();

app.Run();
