using Microsoft.Extensions.Options;

namespace McpAspire.Hosting.Http;

/// <summary>The checks declared on <see cref="McpHttpOptions"/>, source-generated: no reflection, so they hold in a Native AOT publish too.</summary>
[OptionsValidator]
internal sealed partial class McpHttpOptionsValidator : IValidateOptions<McpHttpOptions>;
