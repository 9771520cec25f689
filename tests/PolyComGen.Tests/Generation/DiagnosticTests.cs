using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>Every diagnostic: its ID, its severity, and the text it points at.</summary>
public sealed class DiagnosticTests
{
    [Theory]
    [InlineData("PCG0001", "Plain", "[PolyCom] public class Plain { }")]
    [InlineData("PCG0002", "Rec", "[PolyCom] public partial record Rec { }")]
    [InlineData("PCG0003", "<T>", "[PolyCom] public partial class Gen<T> { }")]
    [InlineData("PCG0004", "Inner", "public class Outer { [PolyCom] public partial class Inner { } }")]
    [InlineData("PCG0005", "Stat", "[PolyCom] public static partial class Stat { }")]
    [InlineData("PCG0005", "Abs", "[PolyCom] public abstract partial class Abs { }")]
    [InlineData("PCG0006", "Order = 9", "[PolyCom(Order = 9)] public partial class P { }")]
    [InlineData("PCG0006", "Order = 0", "[PolyCom(Order = 0, Inner = \"ReLU\")] public partial class P { }")]
    [InlineData("PCG0007", "Inner = \"Relu2\"", "[PolyCom(Inner = \"Relu2\")] public partial class P { }")]
    [InlineData("PCG0008", "Type = 3", "[PolyCom(Type = 3)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = 0", "[PolyCom(Eps = 0)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = double.PositiveInfinity", "[PolyCom(Eps = double.PositiveInfinity)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = double.NaN", "[PolyCom(Eps = double.NaN)] public partial class P { }")]
    [InlineData("PCG0012", "forward", "[PolyCom] public partial class P { public int forward; }")]
    [InlineData("PCG0012", "weight", "[PolyCom] public partial class P { private int weight; }")]
    [InlineData("PCG0012", "CudaSource", "[PolyCom] public partial class P { public static string CudaSource => \"\"; }")]
    [InlineData("PCG0012", "P", "[PolyCom] public partial class P { public P() { } }")]
    [InlineData("PCG0013", "System.Exception", "[PolyCom] public partial class P : System.Exception { }")]
    public void ReportsAnErrorAtTheOffendingSyntax(string id, string pointsAt, string declaration)
    {
        string source = "using PolyComGen;\n" + declaration;
        var (result, _, _) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(pointsAt, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(result.GeneratedSources);
        Assert.Null(result.Exception);
    }

    [Fact]
    public void UnknownInnerListsTheKnownNamesAndSuggestsTheNearest()
    {
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; [PolyCom(Inner = \"Relu2\")] public partial class P { }");

        string message = Assert.Single(result.Diagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("did you mean \"ReLU\"?", message);
        Assert.Contains("Norm, ReLU, Identity, Abs, Square, Sigmoid, Tanh, SiLU, GELU, GELUTanh, Softplus", message);
    }

    [Fact]
    public void InvalidEpsIsOnlyAWarningWhenNormIsNotUsed()
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run("using PolyComGen; [PolyCom(Inner = \"ReLU\", Type = 1, Eps = -1)] public partial class P { }");

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("PCG0010", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Single(result.Modules());
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void InnerIsCaseInsensitive()
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run("using PolyComGen; [PolyCom(Inner = \"gelutanh\", Type = 1)] public partial class P { }");

        Assert.Empty(result.Diagnostics);
        Assert.Contains("\"GELUTanh\"", result.Modules().Single().SourceText.ToString());
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void AttributeAppliedTwiceOnPartsOfOneClassIsReportedOnEach()
    {
        var (result, _, _) = GeneratorHarness.Run(
            "using PolyComGen; [PolyCom] public partial class P { }",
            "using PolyComGen; [PolyCom(Inner = \"ReLU\")] public partial class P { }");

        Assert.Equal(2, result.Diagnostics.Count(d => d.Id == "PCG0011"));
        Assert.Empty(result.GeneratedSources);
        Assert.Null(result.Exception);
    }

    [Fact]
    public void StructsAndInterfacesGetTheGeneratorsErrorBesideTheCompilers()
    {
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; [PolyCom] public partial struct S { } [PolyCom] public partial interface I { }");

        Assert.Equal(["struct", "interface"], result.Diagnostics.Where(d => d.Id == "PCG0002")
            .Select(d => d.GetMessage().Contains("struct") ? "struct" : "interface").OrderByDescending(k => k).ToArray());
        Assert.Null(result.Exception);
    }

    [Fact]
    public void ExplicitTorchSharpBaseClassIsAccepted()
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run(
            "using PolyComGen; using static TorchSharp.torch; [PolyCom] public partial class P : nn.Module<Tensor, Tensor> { }");

        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData("[PolyCom(Order = ] public partial class P { }")]
    [InlineData("[PolyCom(Order = \"three\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = null)] public partial class P { }")]
    [InlineData("[PolyCom(Type = 2, Type = 1)] public partial class P { }")]
    [InlineData("[PolyCom(Eps = 1e400)] public partial class P { }")]
    [InlineData("[PolyCom] public partial class P : Missing { }")]
    [InlineData("[PolyCom] public partial class")]
    [InlineData("[PolyCom] partial class P { void forward( }")]
    [InlineData("namespace N { public class Outer<T> { [PolyCom] partial class P { } } }")]
    [InlineData("[PolyCom(Unknown = 1)] public partial class P { }")]
    [InlineData("[PolyCom(3)] public partial class P { }")]
    public void NeverThrowsOnMalformedCode(string declaration)
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run("using PolyComGen;\n" + declaration);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(outputDiagnostics, d => d.Id is "CS8785" or "AD0001");
    }
}
