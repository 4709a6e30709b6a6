using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using McpAspire.Abstractions;
using McpAspire.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelContextProtocol.Server;

namespace McpAspire.Tools.Tests;

/// <summary>
/// McpAspire.Generators run by Roslyn over a tool set as a team writes it: in a project served Native AOT, a tool
/// whose type the project's JSON context lacks, or whose structured result loses its nulls, fails the build with the
/// fix in the message.
/// </summary>
public sealed class ToolGeneratorDiagnosticsTests
{
    private const string WidgetTool = """
        using System.Text.Json.Serialization;
        using ModelContextProtocol.Server;

        namespace Contoso;

        public sealed record Widget(string Name, string? Colour);

        [McpServerToolType]
        public sealed class WidgetTools
        {
            [McpServerTool(Name = "widget", UseStructuredContent = true)]
            public static Widget Get(string name) => new(name, null);
        }

        """;

    [Fact]
    public void AToolReturningATypeTheContextLacks_FailsTheBuild_NamingTheLineToAdd()
    {
        var diagnostics = Run(WidgetTool + """
            [JsonSerializable(typeof(string))]
            internal sealed partial class ContosoJsonContext : JsonSerializerContext;
            """, servedAot: true);

        var error = Assert.Single(diagnostics, d => d.Id == "MCPASP001");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal(
            "Tool method 'Get' returns 'Widget', which no JsonSerializerContext in this project lists, so it cannot be serialized under Native AOT. Add [JsonSerializable(typeof(Widget))] to ContosoJsonContext.",
            error.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ATypeTheContextLists_OrAProjectNotServedAot_IsNotReported()
    {
        const string Context = """
            [JsonSerializable(typeof(Widget))]
            internal sealed partial class ContosoJsonContext : JsonSerializerContext;
            """;

        Assert.DoesNotContain(Run(WidgetTool + Context, servedAot: true), d => d.Id == "MCPASP001");
        Assert.DoesNotContain(Run(WidgetTool, servedAot: false), d => d.Id == "MCPASP001");
    }

    [Fact]
    public void AStructuredResultWhoseNullsTheContextOmits_FailsTheBuild_UntilTheMemberIsMarked()
    {
        const string OmittingContext = """
            [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
            [JsonSerializable(typeof(Widget))]
            internal sealed partial class ContosoJsonContext : JsonSerializerContext;
            """;

        var error = Assert.Single(Run(WidgetTool + OmittingContext, servedAot: true), d => d.Id == "MCPASP002");
        Assert.Equal(
            "Tool method 'Get' returns structured content of type 'Widget', whose member 'Colour' can be null; ContosoJsonContext omits null members (DefaultIgnoreCondition = WhenWritingNull), so a null 'Colour' would be missing although the output schema lists it as required. Mark it [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)].",
            error.GetMessage(CultureInfo.InvariantCulture));

        var marked = WidgetTool.Replace("string? Colour", "[property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Colour", StringComparison.Ordinal);
        Assert.DoesNotContain(Run(marked + OmittingContext, servedAot: true), d => d.Id == "MCPASP002");
    }

    [Fact]
    public void AToolTheGeneratorCannotDescribe_IsSaidToBeDescribedAtRunTime()
    {
        var diagnostics = Run("""
            using ModelContextProtocol.Server;

            [McpServerToolType]
            public sealed class Counters
            {
                [McpServerTool(Name = "count")]
                public static int Count(System.Collections.Generic.Dictionary<string, int> values) => values.Count;
            }
            """, servedAot: false);

        var info = Assert.Single(diagnostics);
        Assert.Equal(("MCPASP100", DiagnosticSeverity.Info), (info.Id, info.Severity));
        Assert.Equal(
            "Method 'Count' is described by the MCP SDK at start, not at build time: 'System.Collections.Generic.Dictionary<string, int>' is not a shape described at build time (string, boolean, number, date, GUID, URI, list or record)",
            info.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheGeneratedCode_Compiles_AndLeavesToTheSdkWhatItCannotCall()
    {
        var (diagnostics, generatedErrors) = Compile("""
            using System.ComponentModel;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using ModelContextProtocol.Protocol;
            using ModelContextProtocol.Server;

            namespace Contoso;

            [McpServerToolType]
            public sealed class Tools(System.TimeProvider clock)
            {
                [McpServerTool(Name = "now")]
                public string Now(RequestContext<CallToolRequestParams> request, [Description("A prefix.")] string? prefix = "at ", CancellationToken cancellationToken = default) => prefix + clock.GetUtcNow();

                [McpServerTool]
                public static Task TouchAsync(McpServer server, int times = 3) => Task.CompletedTask;

                [McpServerTool(Name = "hidden")]
                private static void Hidden() { }

                private sealed class Nested
                {
                    [McpServerTool(Name = "nested")]
                    public static string Get() => "";
                }
            }

            [McpServerPromptType]
            internal sealed class Prompts
            {
                [McpServerPrompt(Name = "greet")]
                public static ChatMessage Greet(string name) => new(ChatRole.User, name);
            }

            [McpServerResourceType]
            public static class Resources
            {
                [McpServerResource(UriTemplate = "thing://{id}", Name = "thing", MimeType = "text/plain")]
                public static ValueTask<string> ReadAsync(RequestContext<ReadResourceRequestParams> request, string id) => new(id);
            }
            """);

        Assert.Empty(generatedErrors);
        var info = Assert.Single(diagnostics);
        Assert.Equal(
            "Method 'Hidden' is described by the MCP SDK at start, not at build time: the method is private or protected, so generated code cannot call it",
            info.GetMessage(CultureInfo.InvariantCulture));
    }

    private static ImmutableArray<Diagnostic> Run(string source, bool servedAot) => Compile(source, servedAot).Generator;

    /// <summary>The generator's diagnostics, and the compiler's errors in the code it generated.</summary>
    private static (ImmutableArray<Diagnostic> Generator, IEnumerable<Diagnostic> GeneratedErrors) Compile(string source, bool servedAot = false)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var compilation = CSharpCompilation.Create(
            "Contoso.Tools",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            [
                .. platform.Select(path => MetadataReference.CreateFromFile(path)),
                MetadataReference.CreateFromFile(typeof(McpServerToolAttribute).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(McpAspireGenerated).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.AI.AIFunction).Assembly.Location),
            ],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ToolDescriptionGenerator().AsSourceGenerator()],
            optionsProvider: new BuildProperties(servedAot ? new() { ["build_property.IsAotCompatible"] = "true" } : []));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var diagnostics, TestContext.Current.CancellationToken);

        // The generator found the snippet's methods (an absent diagnostic means nothing otherwise).
        Assert.Contains(driver.GetRunResult().GeneratedTrees, tree => tree.FilePath.EndsWith("McpAspireGenerated.g.cs", StringComparison.Ordinal));
        var original = compilation.SyntaxTrees.ToHashSet();
        return (diagnostics, generated.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && !original.Contains(tree)));
    }

    /// <summary>The MSBuild properties the compiler shows the generator (CompilerVisibleProperty).</summary>
    private sealed class BuildProperties(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
