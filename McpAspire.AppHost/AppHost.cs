var builder = DistributedApplication.CreateBuilder(args);

// Redis in a container where a container runtime answers (and always when publishing, so azd deploys real Redis);
// otherwise embedded Garnet, so a fresh machine needs nothing but the .NET SDK.
var cache = builder.AddMcpAspireCache("cache");

// One replica until sessions migrate between replicas (Redis-backed ISessionMigrationHandler and cross-replica
// routing of legacy SSE posts): without that, a session's next request can land on a replica that never saw it (404).
builder.AddProject<Projects.McpAspire_SseFrontEnd>("sse-frontend")
    .WithMcpAspireCache(cache)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.McpAspire_HttpWorker>("http-worker")
    .WithReplicas(2)
    .WithMcpAspireCache(cache)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
