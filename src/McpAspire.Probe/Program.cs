using McpAspire.Probe;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The SDK client's spans carry the trace into the hosts; the probe's own latency histogram.
builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource("Experimental.ModelContextProtocol"));
builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ProbeService.MeterName));
builder.Services.AddOptions<ProbeOptions>().BindConfiguration(ProbeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ProbeStatus>();
builder.Services.AddHealthChecks().AddCheck<ProbeStatus>("transports");
builder.Services.AddHostedService<ProbeService>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/status", (ProbeStatus status) => status.Results.Values.OrderBy(r => r.Transport, StringComparer.Ordinal));

app.Run();
