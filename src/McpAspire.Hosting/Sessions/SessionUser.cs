namespace McpAspire.Hosting.Sessions;

/// <summary>The claim a session is bound to: the SDK compares type, value and issuer.</summary>
internal sealed record SessionUser(string ClaimType, string Value, string Issuer);
