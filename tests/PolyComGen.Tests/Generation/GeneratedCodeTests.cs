using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>The generated source compiles in a plain consumer and is laid out as promised.</summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public void EverySpecCompilesWithoutUnsafeCodeOrWarnings()
    {
        // The spec's own attribute text (Gated and Eps included), so that the grid compiles as declared.
        string declarations = string.Join("\n", Numerics.SpecGrid.All.Select((entry, i) => $"{entry.Spec} public partial class Spec{i} {{ }}"));

        var (result, _, outputDiagnostics) = GeneratorHarness.Run("using PolyComGen;\nnamespace Consumer;\n" + declarations);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(Numerics.SpecGrid.All.Count, result.Modules().Count());
        Assert.Empty(outputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void TheGridsGatedSpecsCompileAsGatedModules()
    {
        Assert.Contains(Numerics.SpecGrid.All, entry => entry.Spec.Gated);
        string declarations = string.Join("\n", Numerics.SpecGrid.All.Select((entry, i) => $"{entry.Spec} public partial class Spec{i} {{ }}"));
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen;\nnamespace Consumer;\n" + declarations);

        for (int i = 0; i < Numerics.SpecGrid.All.Count; i++)
        {
            string module = result.Modules().Single(m => m.HintName == $"Consumer.Spec{i}.g.cs").SourceText.ToString();
            Assert.Equal(Numerics.SpecGrid.All[i].Spec.Gated, module.Contains("global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>"));
        }
    }

    [Fact]
    public void AnAttributeWithoutArgumentsDeclaresTheAttributesDefaults()
    {
        var defaults = new PolyComAttribute();
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; [PolyCom] public partial class P { }");

        string module = result.Modules().Single().SourceText.ToString();
        string eps = defaults.Eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"new global::PolyComGen.PolyComSpec({defaults.Type}, \"{defaults.Inner}\", {defaults.Order}, {eps}, {(defaults.Gated ? "true" : "false")}, \"{defaults.Parameters}\", false, {defaults.Groups}, \"{defaults.Shared}\", \"{defaults.Fit}\", 0, {defaults.Experts})", module);
    }

    [Fact]
    public void TheMembersAUserMayNotDeclareAreExactlyTheOnesTheGeneratorAdds()
    {
        var (_, output, _) = GeneratorHarness.Run("using PolyComGen; namespace N { [PolyCom] public partial class P { } [PolyCom(Inner = \"ReLU\", Gated = true)] public partial class G { } }");

        var generated = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal) && !t.FilePath.EndsWith(GeneratorHarness.RegistryHintName, System.StringComparison.Ordinal))
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Where(c => c.Identifier.Text is "P" or "G"))
            .SelectMany(c => c.Members)
            .SelectMany(MemberNames)
            .ToHashSet();

        Assert.Equal(PolyComGen.Generator.Expressions.Language.ReservedNames.GeneratedMembers.OrderBy(n => n), generated.OrderBy(n => n));
    }

    // The names a member declares in the class's own scope (explicit interface implementations and constructors declare none).
    private static System.Collections.Generic.IEnumerable<string> MemberNames(MemberDeclarationSyntax member) => member switch
    {
        FieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.Text),
        PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property => [property.Identifier.Text],
        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method => [method.Identifier.Text],
        BaseTypeDeclarationSyntax type => [type.Identifier.Text],
        _ => [],
    };

    [Fact]
    public void NestedClassesInPartialTypesAndTheGlobalNamespaceWork()
    {
        var (result, _, outputDiagnostics) = GeneratorHarness.Run(
            "using PolyComGen; namespace A.B { public partial class Outer<T> { internal partial record Mid { [PolyCom] private partial class Act { } } } }",
            "using PolyComGen; [PolyCom(Inner = \"ReLU\", Type = 1)] public partial class Global { }");

        Assert.Equal(["A.B.Outer`1+Mid+Act.g.cs", "Global.g.cs"], result.Modules().Select(s => s.HintName).OrderBy(h => h).ToArray());
        Assert.DoesNotContain(outputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void OutputIsMarkedGeneratedAndUsesLineFeeds()
    {
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen; namespace N { [PolyCom] public partial class PolyNorm { } }");

        string text = result.Modules().Single().SourceText.ToString();
        Assert.StartsWith("// <auto-generated/>", text);
        Assert.DoesNotContain("\r", text);
        Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"PolyComGen\",", text);
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        const string source = "using PolyComGen; [PolyCom(Order = 5, Inner = \"SiLU\", Type = 2)] public partial class P { }";
        string first = GeneratorHarness.Run(source).Result.Modules().Single().SourceText.ToString();
        string second = GeneratorHarness.Run(source).Result.Modules().Single().SourceText.ToString();
        Assert.Equal(first, second);
    }
}
