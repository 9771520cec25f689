using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PolyComGen.Generator;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Generation;

/// <summary>Runs the generator over in-memory sources against .NET 10, TorchSharp and the PolyComGen runtime.</summary>
public static class GeneratorHarness
{
    public static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(PolyComAttribute).Assembly.Location))
        .ToImmutableArray();

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A compilation of <paramref name="sources"/> as a library with default options (no unsafe code).</summary>
    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "Consumer",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            // As the .NET SDK does by default: TorchSharp targets net8.0's System.Runtime, which unifies with net10.0's.
            .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new PolyComGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The generated modules: every source but the registry.</summary>
    public static IEnumerable<GeneratedSourceResult> Modules(this GeneratorRunResult result) =>
        result.GeneratedSources.Where(s => s.HintName != RegistryHintName);

    /// <summary>The hint name of the assembly's registry of activations.</summary>
    public const string RegistryHintName = "PolyComActivations.g.cs";

    /// <summary>The generator's result, and the compilation with its output added (and that compilation's diagnostics).</summary>
    public static (GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> OutputDiagnostics) Run(params string[] sources)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return (result, output, output.GetDiagnostics());
    }
}
