namespace McpAspire.Hosting.Scaling;

/// <summary>What another replica is, as far as Redis tells.</summary>
internal enum ReplicaState
{
    /// <summary>It beats.</summary>
    Alive,

    /// <summary>It does not beat and has not said it left: crashed a moment ago, or reconnecting after a Redis outage.</summary>
    Silent,

    /// <summary>It left, or has been silent for longer than <c>ReplicaTtl</c>.</summary>
    Gone,
}
