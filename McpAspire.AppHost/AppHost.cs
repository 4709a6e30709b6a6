// A wrong McpAspire setting stops the AppHost with one line that names it, and exit code 1.
InvalidSettingException.ExitOnInvalidSettings();

var builder = DistributedApplication.CreateBuilder(args);

// Redis in a container where a container runtime answers (and always when publishing, so azd deploys real Redis);
// otherwise embedded Garnet, so a fresh machine needs nothing but the .NET SDK.
var cache = builder.AddMcpAspireCache("cache");

// The Host names the remote hosts answer to. Locally their appsettings allow loopback names only (a DNS-rebinding
// guard); deployed, the Host is the app's public name behind the platform's ingress. Set it when deploying.
var allowedHosts = builder.AddParameter("allowed-hosts", "*", publishValueAsDefault: true);

// Deployed, one trace in ten is kept (parent-based, so a sampled trace stays whole across processes); locally, all.
var traceSampleRatio = builder.AddParameter("trace-sample-ratio", "0.1", publishValueAsDefault: true);

// The remote hosts refuse MCP requests without credentials outside Development. Locally a key is generated per run
// (parameter mcp-api-key; the hosts get only its hash); deployed, azd asks for the hash of the key your clients use.
var credentials = builder.AddMcpAspireCredentials();

// Deployed, the key ring that seals request state is encrypted in Redis with a certificate azd asks for (PEM text with
// its private key; docs/configuration.md); locally it is the developer's own Redis, and the hosts say so at start.
var keyRingCertificate = builder.AddKeyRingCertificate();
var launchProfile = builder.RemoteHostLaunchProfile();

// MCP clients sign users in here (OAuth 2.1: metadata, client registration, PKCE, consent, audience-bound tokens), two
// replicas sharing their state in the cache. Locally it federates to a development identity provider with the users
// alice and bob; deployed, to your organization's OpenID Connect provider (Entra ID: docs/security.md).
var auth = builder.AddMcpAspireAuthServer<Projects.McpAspire_AuthServer>("auth", cache, credentials);

// Two replicas behind one endpoint with no session affinity (the local proxy spreads requests over them): a replica
// adopts a Streamable HTTP session from Redis, routes a legacy SSE post to the replica holding its stream, and resumes
// a stream from the event log in Redis.
var frontEnd = builder.AddProject<Projects.McpAspire_SseFrontEnd>("sse-frontend", launchProfile)
    .WithReplicas(2)
    .WithExternalHttpEndpoints()
    .WithMcpAspireCache(cache)
    .WithMcpAspireCredentials(credentials)
    .WithMcpAspireSignIn(auth, "/mcp", "/sse")
    .WithPublishedKeyRingProtection(keyRingCertificate)
    .WithPublishedAllowedHosts(allowedHosts)
    .WithPublishedTraceSampling(traceSampleRatio)
    .WithHttpHealthCheck("/health", endpointName: "http");

var worker = builder.AddProject<Projects.McpAspire_HttpWorker>("http-worker", launchProfile)
    .WithReplicas(2)
    .WithExternalHttpEndpoints()
    .WithMcpAspireCache(cache)
    .WithMcpAspireCredentials(credentials)
    .WithMcpAspireSignIn(auth, "/mcp")
    .WithPublishedKeyRingProtection(keyRingCertificate)
    .WithPublishedAllowedHosts(allowedHosts)
    .WithPublishedTraceSampling(traceSampleRatio)
    .WithHttpHealthCheck("/health", endpointName: "http");
#if (!McpAspireTemplate)

// The probe calls the same tool over every transport, the stdio sidecar included (its child over real pipes), so
// the dashboard shows each transport alive with its latency. Local only: it spawns a locally built sidecar.
// (McpAspire's own AppHost only: a team's generated AppHost has no probe.)
builder.AddProject<Projects.McpAspire_Probe>("probe")
    .WithReference(frontEnd).WaitFor(frontEnd)
    .WithReference(worker).WaitFor(worker)
    .WithMcpAspireCache(cache)
    .WithMcpAspireApiKey(credentials)
    .WithStdioSidecar<Projects.McpAspire_StdioSidecar>()
    .WithHttpHealthCheck("/health")
    .ExcludeFromManifest();
#endif

// The MCP Inspector in a browser, pre-pointed at the front-end and the worker. Local only.
builder.AddMcpInspector("mcpaspire", frontEnd, worker);

// mcp.json beside the AppHost: the sidecar on the same cache, and the remote endpoints, for desktop clients.
builder.WithMcpClientConfig<Projects.McpAspire_StdioSidecar>("mcpaspire", cache, frontEnd, worker);

builder.Build().Run();
