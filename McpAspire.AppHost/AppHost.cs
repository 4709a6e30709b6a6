var builder = DistributedApplication.CreateBuilder(args);

// Redis in a container where a container runtime answers (and always when publishing, so azd deploys real Redis);
// otherwise embedded Garnet, so a fresh machine needs nothing but the .NET SDK.
var cache = builder.AddMcpAspireCache("cache");

// The Host names the remote hosts answer to. Locally their appsettings allow loopback names only (a DNS-rebinding
// guard); deployed, the Host is the app's public name behind the platform's ingress. Set it when deploying.
var allowedHosts = builder.AddParameter("allowed-hosts", "*", publishValueAsDefault: true);

// One replica until sessions migrate between replicas (Redis-backed ISessionMigrationHandler and cross-replica
// routing of legacy SSE posts): without that, a session's next request can land on a replica that never saw it (404).
var frontEnd = builder.AddProject<Projects.McpAspire_SseFrontEnd>("sse-frontend")
    .WithMcpAspireCache(cache)
    .WithPublishedAllowedHosts(allowedHosts)
    .WithHttpHealthCheck("/health");

var worker = builder.AddProject<Projects.McpAspire_HttpWorker>("http-worker")
    .WithReplicas(2)
    .WithMcpAspireCache(cache)
    .WithPublishedAllowedHosts(allowedHosts)
    .WithHttpHealthCheck("/health");

// The probe calls the same tool over every transport, the stdio sidecar included (its child over real pipes), so
// the dashboard shows each transport alive with its latency. Local only: it spawns a locally built sidecar.
builder.AddProject<Projects.McpAspire_Probe>("probe")
    .WithReference(frontEnd).WaitFor(frontEnd)
    .WithReference(worker).WaitFor(worker)
    .WithMcpAspireCache(cache)
    .WithStdioSidecar()
    .WithHttpHealthCheck("/health")
    .ExcludeFromManifest();

// The MCP Inspector in a browser, pre-pointed at the front-end and the worker. Local only.
builder.AddMcpInspector(frontEnd, worker);

// mcp.json beside the AppHost: the sidecar on the same cache, and the remote endpoints, for desktop clients.
builder.WithMcpClientConfig(cache, frontEnd, worker);

builder.Build().Run();
