namespace McpAspire.AuthorizationServer.SignIn;

/// <summary>Who signs a user in when an authorization request finds none: the upstream provider, or the development form.</summary>
internal interface ISignInSource
{
    /// <summary>Sends the browser to sign in; once signed in (the user cookie set), it comes back to <paramref name="returnUrl"/>.</summary>
    IResult Challenge(HttpContext context, string returnUrl);
}
