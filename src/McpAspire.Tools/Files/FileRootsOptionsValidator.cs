using Microsoft.Extensions.Options;

namespace McpAspire.Tools.Files;

/// <summary>Fails start-up on a root that is relative or does not exist, naming the key to fix.</summary>
internal sealed class FileRootsOptionsValidator : IValidateOptions<FileRootsOptions>
{
    public ValidateOptionsResult Validate(string? name, FileRootsOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Roots.Count; i++)
        {
            var root = options.Roots[i];
            if (!Path.IsPathFullyQualified(root))
            {
                failures.Add($"{FileRootsOptions.SectionName}:Roots:{i} ('{root}') must be an absolute path.");
            }
            else if (!Directory.Exists(root))
            {
                failures.Add($"{FileRootsOptions.SectionName}:Roots:{i} ('{root}') is not an existing directory.");
            }
        }

        if (options.MaxBytes <= 0)
        {
            failures.Add($"{FileRootsOptions.SectionName}:MaxBytes must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
