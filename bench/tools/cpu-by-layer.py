#!/usr/bin/env python3
"""CPU per call by layer, from two `perf script` outputs of servers under the same load.

Each sample is charged to the innermost frame of its stack that belongs to a layer below (the first pattern that
matches, leaf to root), so a layer's number is the CPU spent in its own code and in what it calls that belongs to no
inner layer. Given each server's measured CPU per call, prints a Markdown table of microseconds per call.

  python3 bench/tools/cpu-by-layer.py BASELINE.txt BASELINE_US_PER_CALL SERVER.txt SERVER_US_PER_CALL

How to record (docs/benchmarks.md#where-the-workers-cpu-goes): start the server with DOTNET_PerfMapEnabled=1 and
DOTNET_EnableWriteXorExecute=0 (so perf can name JIT-compiled code), load it, then
  perf record -F 499 -g -p PID -o server.data -- sleep 15
  perf script -i server.data -F comm,tid,ip,sym > server.txt
"""
import collections
import re
import sys

LAYERS = [
    ("the SDK: a server built for every request (McpServerImpl ctor, Configure*)", r"McpServerImpl::(\.ctor|Configure)|McpServer::Create|McpSessionHandler::\.ctor"),
    ("server options built for every request (IConfigureOptions<McpServerOptions>)", r"OptionsFactory|McpServerOptionsSetup|PostConfigure|McpTasks::Configure|AuthorizationFilterSetup|SharedPrimitiveCollections|<AddMcpAspire\w*>b__"),
    ("authentication (ASP.NET Core, the API key handler)", r"Microsoft\.AspNetCore\.Authentication|ApiKeyAuthenticationHandler"),
    ("authorization (ASP.NET Core, the result handler, tool scopes)", r"Microsoft\.AspNetCore\.Authorization|McpAuthorizationResultHandler|ToolScope"),
    ("rate limiting (per client, per principal and tool)", r"RateLimit|ClientRequestLimiter|LeasingRateLimiter|FallbackRateLimiter"),
    ("access log", r"AccessLog"),
    ("traces and metrics (OpenTelemetry, Activity, hosting diagnostics)", r"OpenTelemetry|System\.Diagnostics\.(Activity|DiagnosticListener|DiagNode|Metrics)|HostingApplicationDiagnostics|McpHostMetrics|McpServerSpanEnricher"),
    ("logging (scopes, providers)", r"Microsoft\.Extensions\.Logging"),
    ("session records (Redis)", r"SessionRecorder|RedisSessionStore|StackExchange\.Redis"),
    ("McpAspire's edge and filters (peek, headers, validation, tasks, request state)", r"McpAspire"),
    ("dependency injection scopes", r"Microsoft\.Extensions\.DependencyInjection"),
    ("JSON", r"System\.Text\.Json"),
    ("the SDK otherwise", r"ModelContextProtocol"),
    ("Kestrel and sockets", r"Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines"),
    ("clearing memory for new allocations (memset)", r"memset"),
    ("kernel (network, scheduling)", r"pvm_irq|sys_|tcp_|__schedule|epoll|entry_SYSCALL|ip_|sock_|skb"),
]
OTHER = "the runtime otherwise (GC, thread pool, stubs)"
PATTERNS = [(name, re.compile(pattern)) for name, pattern in LAYERS]


def samples(path):
    stack = []
    with open(path, errors="replace") as lines:
        for line in lines:
            if not line.strip():
                if stack:
                    yield stack
                stack = []
            elif line[0] in " \t":
                parts = line.strip().split(" ", 1)
                stack.append(parts[1] if len(parts) > 1 else "?")
            else:
                stack = []
    if stack:
        yield stack


def layer_of(stack):
    for frame in stack:
        for name, pattern in PATTERNS:
            if pattern.search(frame):
                return name
    return OTHER


def per_call(path, us_per_call):
    counts = collections.Counter(layer_of(stack) for stack in samples(path))
    total = sum(counts.values())
    return {name: us_per_call * count / total for name, count in counts.items()}


def main():
    baseline_path, baseline_us, server_path, server_us = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    baseline, server = per_call(baseline_path, baseline_us), per_call(server_path, server_us)
    names = sorted(set(baseline) | set(server), key=lambda n: baseline.get(n, 0) - server.get(n, 0))
    print("| layer | baseline µs/call | server µs/call | difference |")
    print("| --- | ---: | ---: | ---: |")
    for name in names:
        b, s = baseline.get(name, 0.0), server.get(name, 0.0)
        print(f"| {name} | {b:.1f} | {s:.1f} | {s - b:+.1f} |")
    print(f"| total | {baseline_us:.1f} | {server_us:.1f} | {server_us - baseline_us:+.1f} |")


if __name__ == "__main__":
    main()
