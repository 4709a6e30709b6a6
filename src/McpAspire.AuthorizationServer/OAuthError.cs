using System.Text.Json.Nodes;

namespace McpAspire.AuthorizationServer;

/// <summary>An OAuth error as JSON (<c>error</c>, <c>error_description</c>), as RFC 6749 and RFC 7591 answer API calls.</summary>
internal static class OAuthError
{
    public static IResult Json(string error, string description, int statusCode = StatusCodes.Status400BadRequest) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: statusCode);
}
