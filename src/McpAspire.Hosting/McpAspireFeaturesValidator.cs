using McpAspire.Abstractions;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting;

/// <summary>Checks at start-up that every feature a host turned on has what it needs, naming the call to add when not.</summary>
internal sealed class McpAspireFeaturesValidator : IValidateOptions<McpAspireFeatures>
{
    private const string AddState = "builder.AddMcpAspireState(\"cache\")";

    public ValidateOptionsResult Validate(string? name, McpAspireFeatures features)
    {
        var failures = new List<string>();
        if (features.Transport is McpAspireTransport.StatelessHttp or McpAspireTransport.StatefulHttp && !features.State)
        {
            failures.Add($"WithMcpAspireHttpTransport needs {AddState}: its sessions and callers are recorded there.");
        }

        if (features.ScaleOut && !features.State)
        {
            failures.Add($"WithMcpAspireScaleOut needs {AddState}: the sessions, streams and routing it shares between replicas live there.");
        }

        if (features.ScaleOut && features.Transport is not McpAspireTransport.StatefulHttp)
        {
            failures.Add("WithMcpAspireScaleOut is for the stateful HTTP transport (WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse)): the other transports keep nothing between requests to share.");
        }

        if (features.RateLimiting && !features.State)
        {
            failures.Add($"WithMcpAspireRateLimiting needs {AddState}: the shared limiter lives there.");
        }

        if (features.SessionRecording && !features.State)
        {
            failures.Add($"WithMcpAspireSessionRecording needs {AddState}: the session records live there.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
