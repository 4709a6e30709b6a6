using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost.Tools;

/// <summary>Tools that return each kind of content block: tools-call-simple-text, -image, -audio, -embedded-resource, -mixed-content.</summary>
[McpServerToolType]
public sealed class ContentTools
{
    [McpServerTool(Name = "test_simple_text", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns a fixed text content block.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns a 1x1 PNG as an image content block.")]
    public static ImageContentBlock ImageContent() => ImageContentBlock.FromBytes(TestMedia.Png, TestMedia.PngMimeType);

    [McpServerTool(Name = "test_audio_content", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns a minimal WAV file as an audio content block.")]
    public static AudioContentBlock AudioContent() => AudioContentBlock.FromBytes(TestMedia.Wav, TestMedia.WavMimeType);

    [McpServerTool(Name = "test_embedded_resource", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns a text resource embedded in the result.")]
    public static EmbeddedResourceBlock EmbeddedResource() => new()
    {
        Resource = new TextResourceContents
        {
            Uri = "test://embedded-resource",
            MimeType = "text/plain",
            Text = "This is an embedded resource content.",
        },
    };

    [McpServerTool(Name = "test_multiple_content_types", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns text, image and embedded resource content blocks in one result.")]
    public static IEnumerable<ContentBlock> MultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        ImageContentBlock.FromBytes(TestMedia.Png, TestMedia.PngMimeType),
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents
            {
                Uri = "test://mixed-content-resource",
                MimeType = "application/json",
                Text = """{"test":"data","value":123}""",
            },
        },
    ];
}
