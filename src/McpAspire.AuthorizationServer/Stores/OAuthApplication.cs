using System.Text.Json;

namespace McpAspire.AuthorizationServer.Stores;

/// <summary>A registered client: from configuration, a Client ID Metadata Document or Dynamic Client Registration. Its id is its client id.</summary>
internal sealed class OAuthApplication
{
    public string? Id { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? ClientType { get; set; }

    public string? ApplicationType { get; set; }

    public string? ConsentType { get; set; }

    public string? DisplayName { get; set; }

    public Dictionary<string, string> DisplayNames { get; set; } = [];

    public string? JsonWebKeySet { get; set; }

    public List<string> Permissions { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    public List<string> RedirectUris { get; set; } = [];

    public List<string> Requirements { get; set; } = [];

    public Dictionary<string, string> Settings { get; set; } = [];

    public Dictionary<string, JsonElement> Properties { get; set; } = [];

    public string? ConcurrencyToken { get; set; }

    /// <summary>How the client came to be registered (<see cref="ClientSources"/>); configured clients are never stored.</summary>
    public string? Source { get; set; }

    /// <summary>When the stored record lapses unless used or fetched again (registrations and fetched documents).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
