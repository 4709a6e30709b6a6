namespace McpAspire.Hosting.RequestState;

/// <summary>
/// What a sealed <c>requestState</c> is valid for: the caller, the request (method and the tool or prompt it names) and a
/// digest of its arguments. A state is opened only by a request with the same binding.
/// </summary>
internal readonly record struct RequestStateBinding(string Principal, string Method, string Name, string ArgumentsDigest);
