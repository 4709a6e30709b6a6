using McpAspire.Hosting.Http;

var builder = WebApplication.CreateBuilder(args);

// Run once per mode (--Conformance:Mode=Stateless or StatefulWithLegacySse): one MapMcp cannot serve both.
var mode = builder.Configuration.GetValue("Conformance:Mode", McpHttpMode.StatefulWithLegacySse);

builder.AddServiceDefaults();
builder.AddMcpAspireState("cache");
builder.AddMcpAspireServer()
    .WithMcpAspireHttpTransport(mode)
    .WithConformanceFixtures();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspire();

app.Run();
