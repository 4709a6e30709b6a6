using Microsoft.Extensions.Options;

namespace McpAspire.State;

/// <summary>The checks declared on <see cref="McpAspireStateOptions"/>, source-generated: no reflection, so they hold in a Native AOT publish too.</summary>
[OptionsValidator]
internal sealed partial class McpAspireStateOptionsValidator : IValidateOptions<McpAspireStateOptions>;
