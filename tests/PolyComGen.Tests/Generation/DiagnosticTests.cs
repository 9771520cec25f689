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
    [InlineData("PCG0007", "Relu2", "[PolyCom(Inner = \"Relu2\")] public partial class P { }")]
    [InlineData("PCG0007", "Inner = null", "[PolyCom(Inner = null)] public partial class P { }")]
    [InlineData("PCG0014", "\"\"", "[PolyCom(Inner = \"\")] public partial class P { }")]
    [InlineData("PCG0014", "(", "[PolyCom(Inner = \"tanh(x\")] public partial class P { }")]
    [InlineData("PCG0014", ")", "[PolyCom(Inner = \"x + 1)\")] public partial class P { }")]
    [InlineData("PCG0014", "+", "[PolyCom(Inner = \"x +\")] public partial class P { }")]
    [InlineData("PCG0014", "**", "[PolyCom(Inner = \"x ** 2\")] public partial class P { }")]
    [InlineData("PCG0015", "foo", "[PolyCom(Inner = \"2 * foo(x)\")] public partial class P { }")]
    [InlineData("PCG0015", "foo", "[PolyCom(Inner = @\"2 * foo(x)\")] public partial class P { }")]
    [InlineData("PCG0015", "foo", "[PolyCom(Inner = \"\"\"2 * foo(x)\"\"\")] public partial class P { }")]
    [InlineData("PCG0015", "Inner = \"2 *\\tfoo(x)\"", "[PolyCom(Inner = \"2 *\\tfoo(x)\")] public partial class P { }")]
    [InlineData("PCG0015", "Inner = Expression", "[PolyCom(Inner = Expression)] public partial class P { const string Expression = \"2 * foo(x)\"; }")]
    [InlineData("PCG0016", "0.5", "[PolyCom(Inner = \"x^0.5\")] public partial class P { }")]
    [InlineData("PCG0017", "norm", "[PolyCom(Inner = \"1 + norm(x)\")] public partial class P { }")]
    [InlineData("PCG0018", "2 * pi", "[PolyCom(Inner = \"2 * pi\")] public partial class P { }")]
    [InlineData("PCG0019", "(1 - 1)", "[PolyCom(Inner = \"x / (1 - 1)\")] public partial class P { }")]
    [InlineData("PCG0020", "max(x)", "[PolyCom(Inner = \"max(x)\")] public partial class P { }")]
    [InlineData("PCG0021", "100", "[PolyCom(Inner = \"x^100\")] public partial class P { }")]
    [InlineData("PCG0021", "(x^32)^32", "[PolyCom(Order = 8, Inner = \"(x^32)^32\")] public partial class P { }")]
    [InlineData("PCG0021", "norm(((x^4)^4)^-4)", "[PolyCom(Inner = \"norm(((x^4)^4)^-4)\")] public partial class P { }")]
    [InlineData("PCG0022", "1e39", "[PolyCom(Inner = \"2 * 1e39 * x\")] public partial class P { }")]
    [InlineData("PCG0022", "Inner = \"1e38 * x^8\"", "[PolyCom(Order = 1, Inner = \"1e38 * x^8\", Type = 1)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = 1e300", "[PolyCom(Order = 3, Inner = \"norm(x)\", Type = 1, Eps = 1e300)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = 1e-50", "[PolyCom(Eps = 1e-50)] public partial class P { }")]
    [InlineData("PCG0012", "TorchSource", "[PolyCom] public partial class P { public static string TorchSource => \"\"; }")]
    [InlineData("PCG0008", "Type = 3", "[PolyCom(Type = 3)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = 0", "[PolyCom(Eps = 0)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = double.PositiveInfinity", "[PolyCom(Eps = double.PositiveInfinity)] public partial class P { }")]
    [InlineData("PCG0009", "Eps = double.NaN", "[PolyCom(Eps = double.NaN)] public partial class P { }")]
    [InlineData("PCG0012", "forward", "[PolyCom] public partial class P { public int forward; }")]
    [InlineData("PCG0012", "weight", "[PolyCom] public partial class P { private int weight; }")]
    [InlineData("PCG0012", "CudaSource", "[PolyCom] public partial class P { public static string CudaSource => \"\"; }")]
    [InlineData("PCG0012", "P", "[PolyCom] public partial class P { public P() { } }")]
    [InlineData("PCG0013", "System.Exception", "[PolyCom] public partial class P : System.Exception { }")]
    // Learnable parameters: each mistake on its characters inside the Parameters string, on either attribute.
    [InlineData("PCG0023", "1", "[PolyCom(Inner = \"tanh(beta * x)\", Parameters = \"beta 1\")] public partial class P { }")]
    [InlineData("PCG0023", "1beta", "[PolyCom(Inner = \"tanh(x)\", Parameters = \"1beta = 1\")] public partial class P { }")]
    [InlineData("PCG0023", ";", "[Activation(\"beta * x\", Parameters = \"beta = 1; gamma = 2\")] public partial class P { }")]
    [InlineData("PCG0023", "Parameters = null", "[Activation(\"beta * x\", Parameters = null)] public partial class P { }")]
    [InlineData("PCG0024", "e", "[PolyCom(Inner = \"tanh(x)\", Parameters = \"e = 1\")] public partial class P { }")]
    [InlineData("PCG0024", "weight", "[Activation(\"x\", Parameters = \"weight = 1\")] public partial class P { }")]
    [InlineData("PCG0024", "lambda", "[Activation(\"lambda * x\", Parameters = \"lambda = 1\")] public partial class P { }")]
    [InlineData("PCG0024", "gelu_tanh", "[Activation(\"x\", Parameters = \"gelu_tanh = 1\")] public partial class P { }")]
    [InlineData("PCG0025", "Beta", "[Activation(\"beta * x\", Parameters = \"beta = 1, Beta = 2\")] public partial class P { }")]
    [InlineData("PCG0026", "1e39", "[Activation(\"beta * x\", Parameters = \"beta = 1e39\")] public partial class P { }")]
    [InlineData("PCG0026", "abc", "[Activation(\"beta * x\", Parameters = \"beta = abc\")] public partial class P { }")]
    [InlineData("PCG0026", "NaN", "[Activation(\"beta * x\", Parameters = \"beta = NaN\")] public partial class P { }")]
    [InlineData("PCG0027", "gamma", "[PolyCom(Inner = \"tanh(beta * x)\", Parameters = \"beta = 1, gamma = 2\")] public partial class P { }")]
    [InlineData("PCG0015", "beta", "[PolyCom(Inner = \"tanh(beta * x)\")] public partial class P { }")]
    [InlineData("PCG0015", "gama", "[Activation(\"x * sigmoid(gama * x)\", Parameters = \"gamma = 1\")] public partial class P { }")]
    [InlineData("PCG0018", "beta * 2", "[Activation(\"beta * 2\", Parameters = \"beta = 1\")] public partial class P { }")]
    [InlineData("PCG0014", "\"\"", "[Activation(\"\")] public partial class P { }")]
    [InlineData("PCG0011", "P", "[PolyCom, Activation(\"x\")] public partial class P { }")]
    [InlineData("PCG0012", "beta", "[Activation(\"beta * x\", Parameters = \"beta = 1\")] public partial class P { int beta; }")]
    [InlineData("PCG0028", "Groups = 0", "[Activation(\"beta * x\", Parameters = \"beta = 1\", Groups = 0)] public partial class P { }")]
    [InlineData("PCG0028", "Groups = 65", "[PolyCom(Inner = \"Norm\", Groups = 65)] public partial class P { }")]
    [InlineData("PCG0033", "x * sigmoid(x)", "[PolyCom(Inner = x * sigmoid(x), Type = 1)] public partial class P { }")]
    [InlineData("PCG0033", "x * tanh(x)", "[Activation(x * tanh(x))] public partial class P { }")]
    [InlineData("PCG0032", "Experts = 0", "[PolyCom(Inner = \"Norm\", Experts = 0)] public partial class P { }")]
    [InlineData("PCG0032", "Experts = 4097", "[PolyCom(Inner = \"ReLU\", Experts = 4097)] public partial class P { }")]
    [InlineData("PCG0032", "Experts = 8", "[Activation(\"relu(x)\", Experts = 8)] public partial class P { }")]
    [InlineData("PCG0029", "gamma", "[Activation(\"beta * x\", Parameters = \"beta = 1\", Groups = 2, Shared = \"beta, gamma\")] public partial class P { }")]
    [InlineData("PCG0030", "fo", "[Activation(\"beta * x\", Parameters = \"beta = 1\", Fit = \"fo(x)\")] public partial class P { }")]
    [InlineData("PCG0030", "Fit = \"gelu(x)\"", "[PolyCom(Inner = \"ReLU\", Fit = \"gelu(x)\")] public partial class P { }")]
    [InlineData("PCG0030", "Fit = \"gelu(x)\"", "[Activation(\"norm(beta * x)\", Parameters = \"beta = 1\", Fit = \"gelu(x)\")] public partial class P { }")]
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
    public void AFitThatCannotConvergeIsAWarningNamingTheErrorReached()
    {
        // log(x) is NaN for x < 0: no values approximate it on [-3, 3].
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; [Activation(\"beta * x\", Parameters = \"beta = 1\", Fit = \"log(x)\")] public partial class P { }");
        Diagnostic warning = Assert.Single(result.Diagnostics, d => d.Id == "PCG0031");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("largest error of Infinity", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Single(result.Modules());
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
    public void EveryDiagnosticLinksToItsRowOfTheDocumentation()
    {
        string documentation = System.IO.File.ReadAllText(Support.RepositoryFiles.Path("docs", "diagnostics.md"));
        foreach (DiagnosticDescriptor descriptor in PolyComGen.Generator.Diagnostics.DiagnosticDescriptors.All)
        {
            string anchor = descriptor.Id.ToLowerInvariant();
            Assert.Equal("docs/diagnostics.md#" + anchor, descriptor.HelpLinkUri);
            Assert.Contains($"<a id=\"{anchor}\"></a>{descriptor.Id}", documentation);
        }
    }

    [Fact]
    public void TheUnknownNameMessageListsTheNamesOfTheReadmeGrammar()
    {
        // The README's grammar block, "name := exp | log | ... | identity", is what users read: the parser must agree.
        string readme = System.IO.File.ReadAllText(Support.RepositoryFiles.Path("README.md"));
        int start = readme.IndexOf("name     := ", System.StringComparison.Ordinal);
        int end = readme.IndexOf("```", start, System.StringComparison.Ordinal);
        string[] grammar = readme[(start + "name     := ".Length)..end]
            .Split(['|', '\n'], System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries)
            .Select(n => n.Split(' ')[0]).Where(n => n.Length > 0).ToArray();
        string[] known = PolyComGen.Generator.Expressions.Language.InnerParser.KnownNames.Except(["x", "pi", "e", "norm"]).ToArray();

        Assert.Equal(grammar.OrderBy(n => n), known.OrderBy(n => n));
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; [PolyCom(Inner = \"2 * foo(x)\")] public partial class P { }");
        string message = Assert.Single(result.Diagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("gelu_tanh", message);
        Assert.DoesNotContain("gelutanh", message);
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
    public void AnExpressionGeneratesAModuleThatShowsIt()
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run(
            "using PolyComGen; [PolyCom(Order = 3, Inner = \"x * sigmoid(1.702 * x)\", Type = 1)] public partial class Quick { }",
            "using PolyComGen; [PolyCom(Order = 3, Inner = \"norm(tanh(x))\", Type = 2)] public partial class NormTanh { }");

        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string quick = result.Modules().Single(m => m.HintName == "Quick.g.cs").SourceText.ToString();
        Assert.Contains("new global::PolyComGen.PolyComSpec(1, \"x * sigmoid(1.702 * x)\", 3", quick);
        Assert.Contains("rowwise: false", quick);
        Assert.Contains("rowwise: true", result.Modules().Single(m => m.HintName == "NormTanh.g.cs").SourceText.ToString());
    }

    [Theory]
    [InlineData("norm(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(x)))))))))))")]
    [InlineData("tanh(x) * tanh(2 * x) * tanh(3 * x) * tanh(4 * x) * tanh(5 * x) * tanh(6 * x) * tanh(7 * x) * tanh(8 * x) * tanh(9 * x)")]
    [InlineData("norm(exp(x) * softplus(x) * erf(x) * gelu(x) * silu(x) * gelu_tanh(x) * log1p(abs(x)) * max(x, tanh(x)))")]
    [InlineData("x^32 / (1 + x^-32) - exp(exp(exp(x)))")]
    public void TheLargestAcceptedExpressionsGenerateWithoutHanging(string expression)
    {
        // Type 2 of order 8 substitutes x^k into the expression eight times: the worst case for the generator's time.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (result, _, outputDiagnostics) = GeneratorHarness.Run($"using PolyComGen; [PolyCom(Order = 8, Inner = \"{expression}\", Type = 2)] public partial class P {{ }}");

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Modules());
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(clock.Elapsed < System.TimeSpan.FromSeconds(60), $"generation took {clock.Elapsed.TotalSeconds:F0} s");
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
    [InlineData("[PolyCom(Inner = \"norm(\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = \"((((((((((((((((((((((((((((((((((((((x\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = \"x ^ ^ ^\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = \"1e999 * x\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = \"max(x,,)\")] public partial class P { }")]
    [InlineData("[PolyCom(Inner = \"\\u0000x\")] public partial class P { }")]
    public void NeverThrowsOnMalformedCode(string declaration)
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run("using PolyComGen;\n" + declaration);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(outputDiagnostics, d => d.Id is "CS8785" or "AD0001");
    }
}
