using System.ComponentModel;
using System.Text;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Prompts;

[McpServerPromptType]
public sealed class NotesPrompts(INoteStore notes, IMcpCallerAccessor callers)
{
    [McpServerPrompt(Name = "summarize_notes", Title = "Summarize my notes")]
    [Description("Asks the model to summarize the caller's notes, optionally focusing on a topic.")]
    public async Task<ChatMessage> SummarizeAsync(
        RequestContext<GetPromptRequestParams> request,
        [Description("A topic to focus the summary on.")] string? focus = null,
        CancellationToken cancellationToken = default)
    {
        var caller = callers.GetCaller(request.Server, request.User);
        var all = await notes.ListAsync(caller.Principal, NoteRules.MaxListed, cancellationToken);

        var text = new StringBuilder("Summarize these notes")
            .Append(string.IsNullOrWhiteSpace(focus) ? "." : $", focusing on {focus}.")
            .AppendLine();
        if (all.Count == 0)
        {
            text.AppendLine("(There are no notes yet.)");
        }

        foreach (var note in all)
        {
            text.AppendLine().Append("## ").AppendLine(note.Name).AppendLine(note.Content);
        }

        return new ChatMessage(ChatRole.User, text.ToString());
    }
}
