using System.ComponentModel;
using System.Text;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

#pragma warning disable MCP9005 // Sampling is deprecated as of 2026-07-28 and still served to clients that declare it: notes_summarize shows how to ask the client's model.

/// <summary>
/// Notes tools that need the client: the user's confirmation (elicitation) and the client's model (sampling). Each asks
/// by throwing an <see cref="InputRequiredException"/> and finds the answer on the next round (<see cref="ClientInputs"/>),
/// whatever the protocol era; the state it gives is sealed by the server, so a round that carries it was asked by this
/// server, for this caller and these arguments.
/// </summary>
[McpServerToolType]
public sealed class NotesClientTools(INoteStore notes, IMcpCallerAccessor callers)
{
    private const string ConfirmKey = "confirm";
    private const string ClearState = "notes_clear:confirm";
    private const string SummaryKey = "summary";
    private const string SummarizeState = "notes_summarize:summary";

    /// <summary>How much of the caller's notes goes to the client's model: enough to summarize, never megabytes.</summary>
    private const int MaxSummarizedCharacters = 32 * 1024;

    [McpTask(TaskSupport.Optional)]
    [McpServerTool(Name = "notes_clear", Title = "Delete all notes", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Deletes all of the caller's notes once the user confirms (the client asks the user). Says how many were deleted.")]
    public async Task<string> ClearAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var principal = Principal(request);
        if (request.Params?.RequestState == ClearState && ClientInputs.Elicited(request.Params, ConfirmKey) is { } answer)
        {
            if (!answer.IsAccepted || answer.Content?.TryGetValue("confirm", out var confirm) != true || confirm.ValueKind != System.Text.Json.JsonValueKind.True)
            {
                return "Nothing was deleted: the user did not confirm.";
            }

            var deleted = await notes.ClearAsync(principal, cancellationToken);
            return $"Deleted {deleted} note(s).";
        }

        ClientInputs.Require(request, ClientCapability.Elicitation, "notes_clear asks the user to confirm before deleting every note.");
        var count = (await notes.ListAsync(principal, int.MaxValue, cancellationToken)).Count;
        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [ConfirmKey] = InputRequest.ForElicitation(new ElicitRequestParams
                {
                    Message = $"Delete all {count} of your notes? This cannot be undone.",
                    RequestedSchema = new()
                    {
                        Properties = { ["confirm"] = new ElicitRequestParams.BooleanSchema { Title = "Delete every note", Default = false } },
                        Required = ["confirm"],
                    },
                }),
            },
            ClearState);
    }

    [McpServerTool(Name = "notes_summarize", Title = "Summarize notes", ReadOnly = true, OpenWorld = true)]
    [Description("Summarizes the caller's notes with the client's own model (the client samples it). Returns the summary.")]
    public async Task<string> SummarizeAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("What the summary should focus on; optional.")] string? focus = null,
        CancellationToken cancellationToken = default)
    {
        if (request.Params?.RequestState == SummarizeState && ClientInputs.Text(ClientInputs.Sampled(request.Params, SummaryKey)) is { } summary)
        {
            return summary;
        }

        var all = await notes.ListAsync(Principal(request), NoteRules.MaxListed, cancellationToken);
        if (all.Count == 0)
        {
            return "There are no notes to summarize.";
        }

        ClientInputs.Require(request, ClientCapability.Sampling, "notes_summarize asks the client's model to write the summary.");
        var prompt = new StringBuilder(string.IsNullOrWhiteSpace(focus) ? "Summarize these notes." : $"Summarize these notes, focusing on: {focus}");
        foreach (var note in all)
        {
            prompt.Append("\n\n## ").Append(note.Name).Append('\n').Append(note.Content);
            if (prompt.Length > MaxSummarizedCharacters)
            {
                prompt.Length = MaxSummarizedCharacters;
                break;
            }
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [SummaryKey] = InputRequest.ForSampling(new CreateMessageRequestParams
                {
                    Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt.ToString() }] }],
                    SystemPrompt = "You summarize a person's notes briefly and faithfully.",
                    MaxTokens = 500,
                }),
            },
            SummarizeState);
    }

    private string Principal(RequestContext<CallToolRequestParams> request) => callers.GetCaller(request.Server, request.User).Principal;
}
