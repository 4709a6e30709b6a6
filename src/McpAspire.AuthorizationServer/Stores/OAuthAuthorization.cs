using System.Text.Json;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>
/// A grant: a user's remembered consent to a client (permanent), or the family of one sign-in's code and refresh tokens
/// (ad hoc), which is revoked whole when one of its codes or refresh tokens is used twice.
/// </summary>
internal sealed class OAuthAuthorization
{
    public string? Id { get; set; }

    public string? ApplicationId { get; set; }

    public DateTimeOffset? CreationDate { get; set; }

    public List<string> Scopes { get; set; } = [];

    public string? Status { get; set; }

    public string? Subject { get; set; }

    public string? Type { get; set; }

    public Dictionary<string, JsonElement> Properties { get; set; } = [];

    public string? ConcurrencyToken { get; set; }
}
