namespace McpAspire.Abstractions;

/// <summary>A listener fell too far behind the changes (<see cref="ChangeListener.Capacity"/>) and was cut off.</summary>
public sealed class ChangeListenerOverflowException() : Exception($"The listener fell more than {ChangeListener.Capacity} changes behind and was cut off; listen again.");
