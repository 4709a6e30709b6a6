using Microsoft.Extensions.Options;

namespace McpAspire.Tools.Notes;

/// <summary>The checks declared on <see cref="NotesOptions"/>, source-generated: no reflection, so they hold in a Native AOT publish too.</summary>
[OptionsValidator]
internal sealed partial class NotesOptionsValidator : IValidateOptions<NotesOptions>;
