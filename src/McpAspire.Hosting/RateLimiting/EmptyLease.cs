using System.Threading.RateLimiting;
using McpAspire.State;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>A lease that carries nothing but its answer: a permit granted from one already counted, or a refusal that tried nothing.</summary>
internal sealed class EmptyLease : RateLimitLease
{
    public static readonly EmptyLease Granted = new(acquired: true);

    public static readonly EmptyLease Refused = new(acquired: false);

    private EmptyLease(bool acquired) => IsAcquired = acquired;

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
