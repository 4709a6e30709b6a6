using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace McpAspire.Hosting.Security;

/// <summary>Why a request did not authenticate, as a short reason (metrics, access log) and a sentence for the client.</summary>
internal static class AuthenticationFailures
{
    public const string InvalidApiKey = "The API key is not valid.";
    public const string MissingCredentials = "missing_credentials";

    public static (string Reason, string Description) Describe(AuthenticateResult? result) => result?.Failure switch
    {
        null => (MissingCredentials, "Authentication required: send an API key (X-API-Key, or Authorization: Bearer) or an OAuth access token (Authorization: Bearer)."),
        { Message: InvalidApiKey } => ("invalid_api_key", InvalidApiKey),
        SecurityTokenExpiredException => ("token_expired", "The access token has expired."),
        SecurityTokenNotYetValidException => ("token_not_yet_valid", "The access token is not valid yet."),
        SecurityTokenInvalidAudienceException => ("invalid_audience", "The access token was issued for another audience."),
        SecurityTokenInvalidIssuerException => ("invalid_issuer", "The access token was issued by an issuer this server does not trust."),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => ("invalid_signature", "The access token's signature is not valid."),
        _ => ("invalid_token", "The access token is not valid."),
    };
}
