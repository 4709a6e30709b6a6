using System.Text.RegularExpressions;
using ModelContextProtocol;

namespace McpAspire.Tools.Notes;

/// <summary>What a note name and content may be; every store relies on these having been checked.</summary>
public static partial class NoteRules
{
    public const int MaxNameLength = 64;
    public const int MaxContentLength = 16 * 1024;
    public const int MaxListed = 200;

    /// <summary>Throws an <see cref="McpException"/> naming the argument when <paramref name="name"/> is not a valid note name.</summary>
    public static void ValidateName(string name, string argumentName = "name")
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new McpException(
                $"Argument '{argumentName}' must be 1-{MaxNameLength} characters of letters, digits, '.', '_' or '-'.");
        }
    }

    public static void ValidateContent(string content, string argumentName = "content")
    {
        if (content.Length > MaxContentLength)
        {
            throw new McpException($"Argument '{argumentName}' is {content.Length} characters; the limit is {MaxContentLength}.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._\-]{1,64}$")]
    private static partial Regex NamePattern();
}
