using System.ComponentModel;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

/// <summary>Per-principal notes: write on one transport, read them back on any other.</summary>
[McpServerToolType]
public sealed class NotesTools(INoteStore notes, IMcpCallerAccessor callers)
{
    [McpServerTool(Name = "notes_put", Title = "Save a note", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Saves a note under a name, replacing any note of that name. Returns the stored note.")]
    public async Task<Note> PutAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("The note's name: 1-64 letters, digits, '.', '_' or '-'.")] string name,
        [Description("The note's text, at most 16384 characters.")] string content,
        CancellationToken cancellationToken)
    {
        NoteRules.ValidateName(name);
        NoteRules.ValidateContent(content);
        return await notes.PutAsync(Principal(request), name, content, cancellationToken);
    }

    [McpServerTool(Name = "notes_get", Title = "Read a note", ReadOnly = true, OpenWorld = false)]
    [Description("Returns the caller's note of the given name.")]
    public async Task<Note> GetAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("The note's name.")] string name,
        CancellationToken cancellationToken)
    {
        NoteRules.ValidateName(name);
        return await notes.GetAsync(Principal(request), name, cancellationToken)
            ?? throw new McpException($"No note named '{name}'. Use notes_list to see the names there are.");
    }

    [McpServerTool(Name = "notes_list", Title = "List notes", ReadOnly = true, OpenWorld = false)]
    [Description("Lists the caller's notes, ordered by name.")]
    public async Task<IReadOnlyList<Note>> ListAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) =>
        await notes.ListAsync(Principal(request), NoteRules.MaxListed, cancellationToken);

    [McpServerTool(Name = "notes_delete", Title = "Delete a note", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Deletes the caller's note of the given name. Returns whether there was one.")]
    public async Task<bool> DeleteAsync(
        RequestContext<CallToolRequestParams> request,
        [Description("The note's name.")] string name,
        CancellationToken cancellationToken)
    {
        NoteRules.ValidateName(name);
        return await notes.DeleteAsync(Principal(request), name, cancellationToken);
    }

    private string Principal(RequestContext<CallToolRequestParams> request) => callers.GetCaller(request.Server, request.User).Principal;
}
