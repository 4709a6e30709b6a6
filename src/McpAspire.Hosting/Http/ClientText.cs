namespace McpAspire.Hosting.Http;

/// <summary>Text a client chose (a tool name, a member name), cut short wherever the host repeats it in a log line or an error.</summary>
internal static class ClientText
{
    private const int MaxLength = 64;

    public static string Shorten(string value) => value.Length <= MaxLength ? value : value[..MaxLength] + "…";
}
