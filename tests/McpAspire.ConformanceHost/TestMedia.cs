namespace McpAspire.ConformanceHost;

/// <summary>The smallest valid media the content scenarios need: a 1x1 red PNG and an empty mono WAV.</summary>
internal static class TestMedia
{
    public const string PngMimeType = "image/png";
    public const string WavMimeType = "audio/wav";

    public static ReadOnlyMemory<byte> Png { get; } =
        Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    public static ReadOnlyMemory<byte> Wav { get; } =
        Convert.FromBase64String("UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=");
}
