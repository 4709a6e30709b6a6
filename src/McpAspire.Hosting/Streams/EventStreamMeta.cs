// The resumability hooks are marked obsolete along with stateful Streamable HTTP (MCP9006); stateful sessions with
// resumable streams are what the SSE front-end serves to 2025-era clients, so it implements them.
#pragma warning disable MCP9006

using McpAspire.State;
using ModelContextProtocol.Server;

namespace McpAspire.Hosting.Streams;

/// <summary>What is recorded of a stream beside its events: the last sequence, the mode, whether it ended, and the replica writing it.</summary>
internal sealed record EventStreamMeta(long Last, SseEventStreamMode Mode, bool Done, string Owner);
