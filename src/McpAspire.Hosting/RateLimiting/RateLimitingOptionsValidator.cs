using McpAspire.State;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.RateLimiting;

/// <summary>The checks declared on <see cref="RateLimitingOptions"/>, source-generated: no reflection, so they hold in a Native AOT publish too.</summary>
[OptionsValidator]
internal sealed partial class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>;
