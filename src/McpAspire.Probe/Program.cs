using McpAspire.Probe;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<ProbeOptions>().BindConfiguration(ProbeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ProbeStatus>();
builder.Services.AddHealthChecks().AddCheck<ProbeStatus>("transports");
builder.Services.AddHostedService<ProbeService>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/status", (ProbeStatus status) => status.Results.Values.OrderBy(r => r.Transport, StringComparer.Ordinal));

app.Run();
