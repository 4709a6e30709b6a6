namespace McpAspire.Hosting.RequestState;

/// <summary>Why a <c>requestState</c> was refused: the <c>reason</c> in the JSON-RPC error's data.</summary>
internal static class RequestStateRefusal
{
    /// <summary>Longer than any state this server seals.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Not sealed by this deployment, or altered since.</summary>
    public const string Invalid = "invalid";

    /// <summary>Sealed for another caller.</summary>
    public const string OtherPrincipal = "other-principal";

    /// <summary>Sealed for another tool or prompt.</summary>
    public const string OtherRequest = "other-request";

    /// <summary>Sealed for the same tool called with other arguments.</summary>
    public const string OtherArguments = "other-arguments";

    /// <summary>Past its lifetime (<c>McpAspire:State:RequestStateLifetime</c>).</summary>
    public const string Expired = "expired";

    /// <summary>Accepted once already.</summary>
    public const string AlreadyUsed = "already-used";
}
