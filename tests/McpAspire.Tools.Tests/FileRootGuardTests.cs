using McpAspire.Tools.Files;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpAspire.Tools.Tests;

public sealed class FileRootGuardTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpaspire-root-");
    private readonly DirectoryInfo _outside = Directory.CreateTempSubdirectory("mcpaspire-outside-");

    public FileRootGuardTests()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "inside.txt"), "in");
        File.WriteAllText(Path.Combine(_outside.FullName, "secret.txt"), "out");
    }

    private static FileRootGuard Guard(params string[] roots)
    {
        var options = new FileRootsOptions();
        foreach (var root in roots)
        {
            options.Roots.Add(root);
        }

        return new FileRootGuard(Options.Create(options));
    }

    [Fact]
    public void Resolve_RelativePathInsideRoot_ReturnsFullPath() =>
        Assert.Equal(Path.Combine(_root.FullName, "inside.txt"), Guard(_root.FullName).Resolve("inside.txt"));

    [Fact]
    public void Resolve_AbsolutePathInsideRoot_ReturnsIt()
    {
        var path = Path.Combine(_root.FullName, "inside.txt");
        Assert.Equal(path, Guard(_root.FullName).Resolve(path));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("sub/../../")]
    public void Resolve_TraversalOutOfRoot_IsRefused(string prefix)
    {
        var path = prefix + _outside.Name + "/secret.txt";
        var error = Assert.Throws<McpException>(() => Guard(_root.FullName).Resolve(path));
        Assert.Contains("outside the allowed roots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AbsolutePathOutsideRoot_IsRefused() =>
        Assert.Throws<McpException>(() => Guard(_root.FullName).Resolve(Path.Combine(_outside.FullName, "secret.txt")));

    [Fact]
    public void Resolve_SiblingWithRootAsPrefix_IsRefused()
    {
        // "…/root-evil" starts with "…/root" as a string but is not inside it.
        var sibling = Directory.CreateDirectory(_root.FullName + "-evil");
        try
        {
            Assert.Throws<McpException>(() => Guard(_root.FullName).Resolve(Path.Combine(sibling.FullName, "x.txt")));
        }
        finally
        {
            sibling.Delete(recursive: true);
        }
    }

    [Fact]
    public void Resolve_SymlinkInsideRootPointingOutside_IsRefused()
    {
        var link = Path.Combine(_root.FullName, "escape.txt");
        File.CreateSymbolicLink(link, Path.Combine(_outside.FullName, "secret.txt"));

        Assert.Throws<McpException>(() => Guard(_root.FullName).Resolve("escape.txt"));
    }

    [Fact]
    public void Resolve_DirectorySymlinkInsideRootPointingOutside_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root.FullName, "linked"), _outside.FullName);

        Assert.Throws<McpException>(() => Guard(_root.FullName).Resolve("linked/secret.txt"));
    }

    [Fact]
    public void Resolve_MissingFileInsideRoot_ReturnsItsPath() =>
        Assert.Equal(Path.Combine(_root.FullName, "missing.txt"), Guard(_root.FullName).Resolve("missing.txt"));

    [Fact]
    public void Resolve_NoRootsConfigured_RefusesWithTheSettingToChange()
    {
        var error = Assert.Throws<McpException>(() => Guard().Resolve("inside.txt"));
        Assert.Contains(FileRootsOptions.SectionName + ":Roots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_RelativeOrMissingRoot_FailsNamingTheKey()
    {
        var options = new FileRootsOptions();
        options.Roots.Add("relative/dir");
        options.Roots.Add(Path.Combine(_root.FullName, "does-not-exist"));

        var result = new FileRootsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("McpAspire:Files:Roots:0", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("McpAspire:Files:Roots:1", result.FailureMessage, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _root.Delete(recursive: true);
        _outside.Delete(recursive: true);
    }
}
