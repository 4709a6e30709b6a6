using McpAspire.Hosting.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMcpAspireServer()
    .WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspire();

app.Run();
