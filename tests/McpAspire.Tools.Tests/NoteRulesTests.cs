using McpAspire.Tools.Notes;
using ModelContextProtocol;

namespace McpAspire.Tools.Tests;

public sealed class NoteRulesTests
{
    [Theory]
    [InlineData("todo")]
    [InlineData("a.b_c-1")]
    [InlineData("x123456789012345678901234567890123456789012345678901234567890123")]
    public void ValidateName_ValidName_DoesNotThrow(string name) => NoteRules.ValidateName(name);

    [Theory]
    [InlineData("")]
    [InlineData("../etc")]
    [InlineData("has space")]
    [InlineData("x1234567890123456789012345678901234567890123456789012345678901234")]
    public void ValidateName_InvalidName_ThrowsNamingTheArgument(string name)
    {
        var error = Assert.Throws<McpException>(() => NoteRules.ValidateName(name));
        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateContent_TooLong_ThrowsWithTheLimit()
    {
        var error = Assert.Throws<McpException>(() => NoteRules.ValidateContent(new string('x', NoteRules.MaxContentLength + 1)));
        Assert.Contains("'content'", error.Message, StringComparison.Ordinal);
        Assert.Contains(NoteRules.MaxContentLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
