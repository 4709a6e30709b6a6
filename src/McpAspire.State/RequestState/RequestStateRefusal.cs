namespace McpAspire.State.RequestState;

/// <summary>Why a <c>requestState</c> was refused: the <c>reason</c> in the JSON-RPC error's data.</summary>
public static class RequestStateRefusal
{
    public const string TooLarge = "too-large";
    public const string Invalid = "invalid";
    public const string OtherPrincipal = "other-principal";
    public const string OtherRequest = "other-request";
    public const string OtherArguments = "other-arguments";
    public const string Expired = "expired";
    public const string AlreadyUsed = "already-used";
}
