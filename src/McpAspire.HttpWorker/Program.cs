using McpAspire.Hosting.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");
builder.AddMcpAspireSecurity();
builder.AddMcpAspireServer()
    .WithMcpAspireHttpTransport(McpHttpMode.Stateless)
    .WithMcpAspireSessionRecording()
    .WithMcpAspireTelemetry();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspire();

app.Run();
