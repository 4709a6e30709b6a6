var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMcpAspireAuthServer();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpAspireAuthServer();

app.Run();
