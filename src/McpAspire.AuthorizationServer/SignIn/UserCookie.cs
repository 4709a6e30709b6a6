namespace McpAspire.AuthorizationServer.SignIn;

/// <summary>The cookie that keeps a user signed in at this server between authorization requests.</summary>
internal static class UserCookie
{
    public const string Scheme = "McpAspire.AuthorizationServer.User";

    /// <summary>The user's stable identifier, as the upstream (or the development form) gave it.</summary>
    public const string SubjectClaim = "sub";

    public const string NameClaim = "name";

    public const string EmailClaim = "email";
}
