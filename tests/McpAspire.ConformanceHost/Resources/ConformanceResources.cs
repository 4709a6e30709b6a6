using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost.Resources;

/// <summary>resources-read-text, -read-binary, -templates-read, and the resource that -subscribe and -unsubscribe watch.</summary>
[McpServerResourceType]
public sealed class ConformanceResources
{
    public const string WatchedUri = "test://watched-resource";

    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", Title = "Static text resource", MimeType = "text/plain")]
    [Description("A fixed text resource.")]
    public static string StaticText() => "This is the content of the static text resource.";

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", Title = "Static binary resource", MimeType = TestMedia.PngMimeType)]
    [Description("A fixed binary resource: a 1x1 PNG.")]
    public static BlobResourceContents StaticBinary() =>
        BlobResourceContents.FromBytes(TestMedia.Png, "test://static-binary", TestMedia.PngMimeType);

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", Title = "Templated data", MimeType = "application/json")]
    [Description("A JSON document for the id in the URI.")]
    public static TextResourceContents TemplateData([Description("Any id; it is echoed in the document.")] string id) => new()
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString(),
    };

    [McpServerResource(UriTemplate = WatchedUri, Name = "watched-resource", Title = "Watched resource", MimeType = "text/plain")]
    [Description("A text resource clients may subscribe to.")]
    public static string Watched() => "Watched resource content";
}
