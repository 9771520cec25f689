using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Tests.Support;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>The generated C# and CUDA of representative specs, reviewed once and pinned.</summary>
public sealed class SnapshotTests
{
    /// <summary>Snapshot name → the declaration whose output it pins.</summary>
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>
    {
        ["PolyNorm"] = "[PolyCom(Order = 3, Inner = \"Norm\", Type = 2)] public partial class PolyNorm { }",
        ["PolyReLU"] = "[PolyCom(Order = 3, Inner = \"ReLU\", Type = 1)] public partial class PolyReLU { }",
        ["IdentityType1Order1"] = "[PolyCom(Order = 1, Inner = \"Identity\", Type = 1)] public partial class IdentityType1Order1 { }",
        ["NormType2Order8"] = "[PolyCom(Order = 8, Inner = \"Norm\", Type = 2)] public partial class NormType2Order8 { }",
        ["NormType1Order3"] = "[PolyCom(Order = 3, Inner = \"Norm\", Type = 1)] public partial class NormType1Order3 { }",
        ["TanhType2Order4"] = "[PolyCom(Order = 4, Inner = \"Tanh\", Type = 2)] public partial class TanhType2Order4 { }",
        ["GELUType1Order3"] = "[PolyCom(Order = 3, Inner = \"GELU\", Type = 1)] public partial class GELUType1Order3 { }",
        ["SoftplusType2Order2"] = "[PolyCom(Order = 2, Inner = \"Softplus\", Type = 2)] public partial class SoftplusType2Order2 { }",
        ["GatedPolyNorm"] = "[PolyCom(Order = 3, Inner = \"Norm\", Type = 2, Gated = true)] public partial class GatedPolyNorm { }",
    };

    public static IEnumerable<object[]> Names() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedSourceMatchesTheSnapshot(string name)
    {
        var (result, _, _) = GeneratorHarness.Run("using PolyComGen;\nnamespace Snapshots;\n" + Cases[name]);
        var generated = Assert.Single(result.Modules());
        string text = generated.SourceText.ToString();

        Snapshot.Verify($"{name}.{Path.GetFileNameWithoutExtension(generated.HintName)}", "cs", text);
        Snapshot.Verify($"{name}.CudaSource", "cu", RawStringOf(text, "CudaSource"));
        Snapshot.Verify($"{name}.TorchSource", "py", PolyComGen.PyTorch.PyTorchModule.Compose(RawStringOf(text, "TorchSource"), RawStringOf(text, "CudaSource")));
    }

    [Fact]
    public void EveryVerifiedFileBelongsToATest()
    {
        var expected = Cases.Keys
            .SelectMany(name => new[] { $"{name}.Snapshots.{name}.g.verified.cs", $"{name}.CudaSource.verified.cu", $"{name}.TorchSource.verified.py" })
            .ToHashSet();
        string folder = Snapshot.Folder();
        var present = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.verified.*").Select(Path.GetFileName).ToList() : [];

        Assert.DoesNotContain(present, file => !expected.Contains(file!));
    }

    // The contents of a raw string literal property (CudaSource, TorchSource), whose closing quotes stand alone in column 0.
    private static string RawStringOf(string generated, string property)
    {
        string opening = property == "TorchSource"
            ? "public static string TorchSource => global::PolyComGen.PyTorch.PyTorchModule.Compose(\"\"\"\"\n"
            : $"public static string {property} => \"\"\"\"\n";
        int start = generated.IndexOf(opening, System.StringComparison.Ordinal) + opening.Length;
        int end = generated.IndexOf("\n\"\"\"\"", start, System.StringComparison.Ordinal) + 1;
        Assert.True(start >= opening.Length && end > start, $"{property} literal not found");
        return generated[start..end];
    }
}
