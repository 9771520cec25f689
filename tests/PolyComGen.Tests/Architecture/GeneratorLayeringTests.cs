using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Tests.Support;
using Xunit;

namespace PolyComGen.Tests.Architecture;

/// <summary>
/// The generator's folders follow the path of a spec and read in one direction: the helpers, the shared contract and
/// the diagnostics' descriptors; the expression IR (and its language); the models read from attributes; the
/// composition (plans, slots, the lowered spec); the emitters; then the generator itself. No file names a namespace
/// of a folder above its own, so the folders have no import cycles.
/// </summary>
public sealed class GeneratorLayeringTests
{
    private static readonly string Generator = RepositoryFiles.Path("src", "Generator");

    // The layer of each namespace of the generator, lowest first.
    private static readonly (string Namespace, int Layer)[] Namespaces =
    [
        ("PolyComGen.Generator.Expressions", 1), ("PolyComGen.Generator.Models", 2), ("PolyComGen.Generator.Composition", 3),
        ("PolyComGen.Generator.Emitters", 4),
    ];

    public static IEnumerable<object[]> Files() => SourceTree.Files(Generator);

    [Theory]
    [MemberData(nameof(Files))]
    public void NoFileNamesAFolderAboveItsOwn(string file)
    {
        int layer = LayerOf(file);
        string code = SourceTree.Code(Generator, file);
        foreach (var (ns, nsLayer) in Namespaces.Where(n => n.Layer > layer))
        {
            Assert.False(Regex.IsMatch(code, $@"\b{Regex.Escape(ns)}\b"), $"{file} (layer {layer}) names {ns} (layer {nsLayer})");
        }
        // The root namespace's types (the generator, its pipeline's models) are named by no folder below it.
        if (layer < 5)
        {
            Assert.False(Regex.IsMatch(code, @"\b(PolyComGenerator|PolyComModel|EmittedModule)\b"), $"{file} (layer {layer}) names the generator's own types");
        }
    }

    [Fact]
    public void EveryFolderOfTheGeneratorHasALayer()
    {
        var layers = Files().Select(f => LayerOf((string)f[0])).ToHashSet();
        Assert.Equal([0, 1, 2, 3, 4, 5], layers.OrderBy(l => l));
    }

    private static int LayerOf(string file)
    {
        return SourceTree.FolderOf(file) switch
        {
            "Helpers" or "Diagnostics" => 0,
            "Expressions" => 1,
            "Models" => 2,
            "Composition" => 3,
            "Emitters" => 4,
            "" => 5,
            _ => throw new Xunit.Sdk.XunitException($"{file}: a folder of the generator without a layer; add it to GeneratorLayeringTests"),
        };
    }
}
