namespace Aspire.Hosting;

/// <summary>The API key the remote hosts accept: generated per run locally (the probe uses it), a hash given at deploy time.</summary>
/// <param name="Key">Local runs: the key itself, a generated secret parameter.</param>
/// <param name="KeyHash">Publish: <c>sha256:{hex}</c> of the key the operator's clients use (azd asks for it).</param>
/// <param name="TrustedProxies">Publish: the network of the platform's ingress, whose <c>X-Forwarded-Proto/-For</c> the hosts believe.</param>
public sealed record McpAspireCredentials(
    IResourceBuilder<ParameterResource>? Key,
    IResourceBuilder<ParameterResource>? KeyHash,
    IResourceBuilder<ParameterResource>? TrustedProxies);
