using System.Text.Json.Serialization;
using ModelContextProtocol.Protocol;

namespace McpAspire.Hosting.Tasks;

/// <summary>What a tools/call that became a task answers (<c>resultType: "task"</c>): the task, flat, with no result yet.</summary>
internal sealed class CreateTaskResult : Result
{
    [JsonPropertyName("taskId")]
    public required string TaskId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("createdAt")]
    public required string CreatedAt { get; init; }

    [JsonPropertyName("lastUpdatedAt")]
    public required string LastUpdatedAt { get; init; }

    /// <summary>Always written: the extension requires the key.</summary>
    [JsonPropertyName("ttlMs"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? TtlMs { get; init; }

    [JsonPropertyName("pollIntervalMs")]
    public long PollIntervalMs { get; init; }
}
