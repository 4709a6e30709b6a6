using System.Text.Json;

namespace McpAspire.Testing;

/// <summary>What a test reads of a JWT it was issued: its header (<c>kid</c>) and its payload (<c>iat</c>, <c>client_id</c>), unverified.</summary>
public static class JwtParts
{
    public static JsonElement Header(string token) => Part(token, 0);

    public static JsonElement Payload(string token) => Part(token, 1);

    private static JsonElement Part(string token, int index)
    {
        var part = token.Split('.')[index];
        return JsonDocument.Parse(Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + (4 - part.Length % 4) % 4, '='))).RootElement.Clone();
    }
}
