using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using McpAspire.AuthorizationServer.Stores;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// Dynamic Client Registration (RFC 7591) of public clients: redirect URIs checked (<see cref="RedirectUris"/>), the
/// authorization code and refresh token grants only, no secret (a client asking for a secret-based method is registered
/// as public and told so: <c>token_endpoint_auth_method: none</c>). Registrations per client address are limited across
/// replicas (<see cref="DynamicRegistrationOptions.PerClientAddressPerHour"/>), and one no request uses for
/// <see cref="DynamicRegistrationOptions.UnusedLifetime"/> is deleted.
/// </summary>
internal sealed partial class RegistrationEndpoint(IOpenIddictApplicationManager applications, TimeProvider time, IOptions<AuthServerOptions> options,
    ILogger<RegistrationEndpoint> logger)
{
    public const string Path = "/connect/register";
    public const string RateLimitPolicy = "client-registration";
    private const int MaxBodyBytes = 16 * 1024;

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, (HttpContext context, RegistrationEndpoint endpoint) => endpoint.RegisterAsync(context)).RequireRateLimiting(RateLimitPolicy);

    private async Task<IResult> RegisterAsync(HttpContext context)
    {
        if (!(context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return OAuthError.Json("invalid_client_metadata", "Send the client's metadata as a JSON object (Content-Type: application/json).");
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var read = await context.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.RequestAborted);
        if (read > MaxBodyBytes)
        {
            return OAuthError.Json("invalid_client_metadata", $"The metadata is larger than {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        JsonObject metadata;
        try
        {
            metadata = JsonNode.Parse(buffer.AsSpan(0, read)) as JsonObject ?? throw new JsonException();
            _ = metadata.Count; // a member named twice is found here, as an ArgumentException
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return OAuthError.Json("invalid_client_metadata", "The metadata is not a JSON object with each member once.");
        }

        if (Strings(metadata, "redirect_uris") is not { Count: > 0 } redirectUris)
        {
            return OAuthError.Json("invalid_redirect_uri", "redirect_uris must be a non-empty array of strings.");
        }

        if (redirectUris.Select(RedirectUris.Problem).FirstOrDefault(problem => problem is not null) is { } redirectProblem)
        {
            return OAuthError.Json("invalid_redirect_uri", $"A redirect URI is not accepted: {redirectProblem}.");
        }

        var grantTypes = Strings(metadata, "grant_types") ?? [GrantTypes.AuthorizationCode];
        if (grantTypes.FirstOrDefault(grant => grant is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken)) is { } grantType)
        {
            return OAuthError.Json("invalid_client_metadata", $"The grant type '{grantType}' is not offered: only authorization_code (with PKCE) and refresh_token.");
        }

        if (!grantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            return OAuthError.Json("invalid_client_metadata", "grant_types must include authorization_code.");
        }

        if ((Strings(metadata, "response_types") ?? [ResponseTypes.Code]).FirstOrDefault(type => type != ResponseTypes.Code) is { } responseType)
        {
            return OAuthError.Json("invalid_client_metadata", $"The response type '{responseType}' is not offered: only code.");
        }

        var name = metadata["client_name"] is JsonValue nameValue && nameValue.TryGetValue(out string? clientName) ? clientName : null;
        if (name is { Length: > 200 })
        {
            return OAuthError.Json("invalid_client_metadata", "client_name is longer than 200 characters.");
        }

        var clientId = "mcp-" + Base64Url(RandomNumberGenerator.GetBytes(18));
        var issuedAt = time.GetUtcNow();
        var client = ClientPermissions.Public(clientId, name, redirectUris, ClientSources.DynamicRegistration);
        client.ExpiresAt = issuedAt + options.Value.DynamicRegistration.UnusedLifetime;
        if (!grantTypes.Contains(GrantTypes.RefreshToken))
        {
            client.Permissions.Remove(Permissions.GrantTypes.RefreshToken);
        }

        try
        {
            await applications.CreateAsync(client, context.RequestAborted);
        }
        catch (OpenIddictExceptions.ValidationException ex)
        {
            return OAuthError.Json("invalid_client_metadata", string.Join(" ", ex.Results.Select(result => result.ErrorMessage)));
        }

        Log.Registered(logger, clientId, name ?? "(no name)");

        var answer = new JsonObject
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = issuedAt.ToUnixTimeSeconds(),
            ["redirect_uris"] = new JsonArray([.. redirectUris.Select(uri => (JsonNode)uri)]),
            ["grant_types"] = new JsonArray([.. grantTypes.Distinct().Select(grant => (JsonNode)grant)]),
            ["response_types"] = new JsonArray(ResponseTypes.Code),
            ["token_endpoint_auth_method"] = "none",
        };
        if (name is not null)
        {
            answer["client_name"] = name;
        }

        if (metadata["scope"] is JsonValue scope && scope.TryGetValue(out string? scopes))
        {
            answer["scope"] = scopes;
        }

        return Results.Json(answer, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>One partition per IPv4 address or IPv6 /64 (what one subscriber gets), so a client cannot evade the limit by rotating addresses in its own network.</summary>
    public static string PartitionOf(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new System.Net.IPNetwork(new System.Net.IPAddress([.. address.GetAddressBytes()[..8], 0, 0, 0, 0, 0, 0, 0, 0]), 64).ToString()
            : address.ToString();
    }

    private static List<string>? Strings(JsonObject metadata, string name) =>
        metadata[name] is JsonArray array && array.All(item => item is JsonValue value && value.TryGetValue(out string? _))
            ? [.. array.Select(item => item!.GetValue<string>())]
            : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered the client {ClientId} ({ClientName}) dynamically.")]
        public static partial void Registered(ILogger logger, string clientId, string clientName);
    }
}
