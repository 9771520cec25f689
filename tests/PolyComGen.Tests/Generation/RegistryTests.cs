using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PolyComGen.Generator;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>
/// The generated registry, <c>{RootNamespace}.PolyComActivations.All</c>: every activation code outside the class
/// can name, in declaration order, in the project's root namespace, and regenerated only when a [PolyCom] class changes.
/// </summary>
public sealed class RegistryTests
{
    private const string Activations = """
        using PolyComGen;
        namespace App
        {
            [PolyCom(Inner = "ReLU", Type = 1)] public partial class Zeta { }
            [PolyCom] internal partial class Alpha { }
            public partial class Outer
            {
                [PolyCom(Inner = "Tanh")] public partial class Nested { }
                [PolyCom(Inner = "Abs")] private partial class Hidden { }
            }
            public partial class Generic<T>
            {
                [PolyCom(Inner = "SiLU")] public partial class InGeneric { }
            }
            [PolyCom(Order = 9)] public partial class Invalid { }
        }
        """;

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }

    private sealed class OptionsProvider(Dictionary<string, string> global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);
    }

    private static (string Registry, ImmutableArray<Diagnostic> Diagnostics) Generate(string? rootNamespace, params string[] sources)
    {
        var global = rootNamespace is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["build_property.RootNamespace"] = rootNamespace };
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new PolyComGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions, optionsProvider: new OptionsProvider(global));
        driver = driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(sources), out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        string registry = result.GeneratedSources.Single(s => s.HintName == GeneratorHarness.RegistryHintName).SourceText.ToString();
        return (registry, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray());
    }

    private static string[] Entries(string registry) =>
        registry.Split('\n').Where(l => l.TrimStart().StartsWith("new(\"", System.StringComparison.Ordinal)).Select(l => l.Trim().Split('"')[1]).ToArray();

    [Fact]
    public void ListsEveryNameableValidActivationInDeclarationOrder()
    {
        var (registry, errors) = Generate("App", Activations);

        Assert.Empty(errors);
        // Hidden (private) and InGeneric (in a generic type) cannot be named from the registry; Invalid has a diagnostic.
        Assert.Equal(["Zeta", "Alpha", "Nested"], Entries(registry));
        Assert.Contains("global::App.Outer.Nested", registry);
    }

    [Fact]
    public void LivesInTheRootNamespaceOrTheGlobalOneWithoutIt()
    {
        Assert.Contains("namespace My.Project", Generate("My.Project", Activations).Registry);
        var (registry, errors) = Generate(null, Activations);
        Assert.DoesNotContain("namespace", registry);
        Assert.Empty(errors);
    }

    [Fact]
    public void IsInternalSoThatTwoAssembliesRegistriesNeverClash()
    {
        Assert.Contains("internal static class PolyComActivations", Generate("App", Activations).Registry);
    }

    [Fact]
    public void NoRegistryWithoutActivations()
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile("namespace App; public class Plain { }"));
        Assert.Empty(driver.GetRunResult().Results.Single().GeneratedSources);
    }

    [Fact]
    public void AnUnrelatedEditLeavesTheRegistryCached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Activations, "namespace App; public class Other { }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("namespace App; public class Other { public int B; }", GeneratorHarness.ParseOptions, path: other.FilePath));

        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[PolyComGenerator.TrackingNames.Registry].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"registry: {o.Reason}"));
    }
}
