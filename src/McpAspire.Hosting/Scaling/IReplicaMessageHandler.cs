namespace McpAspire.Hosting.Scaling;

/// <summary>What a replica does with messages other replicas send it.</summary>
internal interface IReplicaMessageHandler
{
    /// <summary>A message for a session this replica holds, forwarded by the replica that received it.</summary>
    Task<ForwardedAnswer> OnForwardedAsync(SessionMessage message);

    /// <summary>A message for every copy of a session; <see cref="SessionMessage.Body"/> is null when the session ended.</summary>
    Task OnBroadcastAsync(SessionMessage message);
}
