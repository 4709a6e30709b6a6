using System.ComponentModel;
using McpAspire.Abstractions;
using McpAspire.Tools.Notes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Resources;

/// <summary>The caller's notes as resources: <c>note://{name}</c>.</summary>
[McpServerResourceType]
public sealed class NoteResources(INoteStore notes, IMcpCallerAccessor callers)
{
    public const string UriScheme = "note://";

    [McpServerResource(UriTemplate = UriScheme + "{name}", Name = "note", MimeType = "text/plain")]
    [Description("One of the caller's notes, by name.")]
    public async Task<TextResourceContents> ReadAsync(RequestContext<ReadResourceRequestParams> request, string name, CancellationToken cancellationToken)
    {
        NoteRules.ValidateName(name);
        var note = await notes.GetAsync(callers.GetCaller(request.Server, request.User).Principal, name, cancellationToken)
            ?? throw new McpProtocolException($"No note named '{name}'.", McpErrorCode.ResourceNotFound);
        return new TextResourceContents { Uri = UriScheme + note.Name, MimeType = "text/plain", Text = note.Content };
    }

    /// <summary>Lists the caller's notes as concrete resources for <c>resources/list</c>.</summary>
    public static async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services!;
        var store = (INoteStore)services.GetService(typeof(INoteStore))!;
        var accessor = (IMcpCallerAccessor)services.GetService(typeof(IMcpCallerAccessor))!;
        var caller = accessor.GetCaller(request.Server, request.User);
        var all = await store.ListAsync(caller.Principal, NoteRules.MaxListed, cancellationToken);
        return new ListResourcesResult
        {
            Resources = [.. all.Select(note => new Resource { Uri = UriScheme + note.Name, Name = note.Name, MimeType = "text/plain" })],
        };
    }
}
