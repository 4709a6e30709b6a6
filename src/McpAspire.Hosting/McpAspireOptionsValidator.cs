using McpAspire.Abstractions;
using Microsoft.Extensions.Options;

namespace McpAspire.Hosting;

/// <summary>The checks declared on <see cref="McpAspireOptions"/>, source-generated: no reflection, so they hold in a Native AOT publish too.</summary>
[OptionsValidator]
internal sealed partial class McpAspireOptionsValidator : IValidateOptions<McpAspireOptions>;
