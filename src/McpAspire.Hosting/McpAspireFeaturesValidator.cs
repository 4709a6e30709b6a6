using McpAspire.Abstractions;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting;

/// <summary>Checks at start-up that every feature a host turned on has what it needs, naming the call to add when not.</summary>
internal sealed class McpAspireFeaturesValidator(IServiceProvider services) : IValidateOptions<McpAspireFeatures>
{
    public ValidateOptionsResult Validate(string? name, McpAspireFeatures features)
    {
        var failures = new List<string>();
        if (features.ScaleOut && !McpStateServices.IsShared(services))
        {
            failures.Add(McpStateServices.ScaleOutWithoutRedis);
        }

        if (features.ScaleOut && features.Transport is not McpAspireTransport.StatefulHttp)
        {
            failures.Add("WithMcpAspireScaleOut is for the stateful HTTP transport (WithMcpAspireHttpTransport(McpHttpMode.StatefulWithLegacySse)): the other transports keep nothing between requests to share.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
