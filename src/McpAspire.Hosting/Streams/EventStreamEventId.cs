using System.Globalization;
using System.Text;
using McpAspire.State;
using Microsoft.AspNetCore.WebUtilities;

namespace McpAspire.Hosting.Streams;

/// <summary>Event ids name their stream, so any replica can find it: <c>{session}.{stream}.{sequence}</c>, base64url parts.</summary>
internal static class EventStreamEventId
{
    public static string Format(string sessionId, string streamId, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{Encode(sessionId)}.{Encode(streamId)}.{sequence}");

    public static string Encode(string value) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(value));

    public static bool TryParse(string eventId, out string sessionId, out string streamId, out long sequence)
    {
        sessionId = streamId = "";
        sequence = 0;
        var parts = eventId.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return false;
        }

        try
        {
            sessionId = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0]));
            streamId = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[1]));
            return sessionId.Length > 0 && streamId.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
