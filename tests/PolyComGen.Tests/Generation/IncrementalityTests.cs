using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PolyComGen.Generator;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>Edits that do not touch a [PolyCom] class (built-in or expression) leave the pipeline cached and regenerate nothing.</summary>
public sealed class IncrementalityTests
{
    private const string Activations = """
        using PolyComGen;
        namespace App;
        [PolyCom(Order = 3, Inner = "Norm", Type = 2)] public partial class PolyNorm { }
        [PolyCom(Order = 3, Inner = "Relu2", Type = 1)] public partial class Broken { }
        [PolyCom(Order = 3, Inner = "x * sigmoid(1.702 * x)", Type = 1)] public partial class Quick { }
        [PolyCom(Order = 2, Inner = "norm(tanh(x))", Type = 2)] public partial class NormTanh { }
        [PolyCom(Inner = "2 * foo(x)")] public partial class BrokenExpression { }
        """;

    [Fact]
    public void UnrelatedEditIsCachedAndRegeneratesNothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Activations, "namespace App; public class Other { public int A; }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("namespace App; public class Other { public int A; public int B => A + 1; }", GeneratorHarness.ParseOptions, path: other.FilePath));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { PolyComGenerator.TrackingNames.Extract, PolyComGenerator.TrackingNames.Models, PolyComGenerator.TrackingNames.Diagnostics })
        {
            var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {o.Reason}"));
    }

    [Fact]
    public void EditingTheAttributeRegeneratesThatClassOnly()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Activations, "using PolyComGen; namespace App; [PolyCom(Inner = \"ReLU\", Type = 1)] public partial class Stable { }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        SyntaxTree first = compilation.SyntaxTrees.First();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(first,
            CSharpSyntaxTree.ParseText(Activations.Replace("Order = 3, Inner = \"Norm\"", "Order = 4, Inner = \"Norm\""), GeneratorHarness.ParseOptions, path: first.FilePath));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[PolyComGenerator.TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void ACommentInTheDeclaringFileRegeneratesNothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Activations);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        // A comment above the declarations: every location below it moves, no spec changes.
        SyntaxTree file = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(file,
            CSharpSyntaxTree.ParseText("// The activations of the app.\n// A second line.\n" + Activations, GeneratorHarness.ParseOptions, path: file.FilePath));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { PolyComGenerator.TrackingNames.Models, PolyComGenerator.TrackingNames.Modules, PolyComGenerator.TrackingNames.Registry })
        {
            var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }
        // The broken declarations' diagnostics move with them, and are reported where they now are.
        Assert.All(result.Diagnostics, d => Assert.True(d.Location.GetLineSpan().StartLinePosition.Line >= 2, d.ToString()));
    }
}
