using System.Security.Claims;

namespace McpAspire.Abstractions;

/// <summary>Reads the principal name that per-principal state is keyed by from an authenticated user.</summary>
public static class PrincipalName
{
    /// <summary>The user's stable id (<c>sub</c> / name identifier, else name), or null when not authenticated.</summary>
    public static string? Of(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated is true
            ? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.FindFirst("sub")?.Value ?? user.Identity.Name
            : null;
}
