using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Tests.Support;
using Xunit;

namespace PolyComGen.Tests.Architecture;

/// <summary>
/// The runtime reads in one direction: the contract (and the spec it describes), then the backends (and the eager
/// helpers the generated code calls), then autograd, then the module interface and the registry's entries, then
/// verification and the PyTorch bridge. No file may name a namespace or a type of a layer above its own.
/// </summary>
public sealed class RuntimeLayeringTests
{
    private static readonly string Runtime = RepositoryFiles.Path("src", "Runtime");

    // The layer of each namespace of the runtime, lowest first.
    private static readonly (string Namespace, int Layer)[] Namespaces =
    [
        ("PolyComGen.Contract", 0), ("PolyComGen.Backends", 1), ("PolyComGen.Eager", 1), ("PolyComGen.Autograd", 2),
        ("PolyComGen.Verification", 4), ("PolyComGen.PyTorch", 4),
    ];

    // Types of the root namespace above the contract: what a generated module is, and a registry's entry.
    private static readonly (string Type, int Layer)[] ModuleTypes = [("IPolyComModule", 3), ("PolyComActivation", 3)];

    public static IEnumerable<object[]> Files() => SourceTree.Files(Runtime);

    [Theory]
    [MemberData(nameof(Files))]
    public void NoFileNamesALayerAboveItsOwn(string file)
    {
        int layer = LayerOf(file);
        string code = SourceTree.Code(Runtime, file);
        foreach (var (ns, nsLayer) in Namespaces.Where(n => n.Layer > layer))
        {
            Assert.False(Regex.IsMatch(code, $@"\b{Regex.Escape(ns)}\b"), $"{file} (layer {layer}) names {ns} (layer {nsLayer})");
        }
        foreach (var (type, typeLayer) in ModuleTypes.Where(t => t.Layer > layer))
        {
            Assert.False(Regex.IsMatch(code, $@"\b{type}\b"), $"{file} (layer {layer}) names {type} (layer {typeLayer})");
        }
    }

    [Fact]
    public void EveryFolderOfTheRuntimeHasALayer()
    {
        Assert.All(Files().Select(f => (string)f[0]), f => LayerOf(f));
        Assert.Contains(Files(), f => LayerOf((string)f[0]) == 4);
    }

    private static int LayerOf(string file)
    {
        return SourceTree.FolderOf(file) switch
        {
            "Contract" => 0,
            "Backends" or "Eager" => 1,
            "Autograd" => 2,
            "Verification" or "PyTorch" => 4,
            // The root: the attribute and the spec are the contract's data; the module interface and the registry entry sit above autograd.
            "" when ModuleTypes.Any(t => Path.GetFileNameWithoutExtension(file) == t.Type) => 3,
            "" => 0,
            _ => throw new Xunit.Sdk.XunitException($"{file}: a folder of the runtime without a layer; add it to RuntimeLayeringTests"),
        };
    }
}
