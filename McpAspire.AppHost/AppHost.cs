var builder = DistributedApplication.CreateBuilder(args);

// Redis in a container where a container runtime answers (and always when publishing, so azd deploys real Redis);
// otherwise embedded Garnet, so a fresh machine needs nothing but the .NET SDK.
var cache = builder.AddMcpAspireCache("cache");

builder.AddProject<Projects.McpAspire_SseFrontEnd>("sse-frontend")
    .WithReplicas(2)
    .WithMcpAspireCache(cache)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.McpAspire_HttpWorker>("http-worker")
    .WithReplicas(2)
    .WithMcpAspireCache(cache)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
