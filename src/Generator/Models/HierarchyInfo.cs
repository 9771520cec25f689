using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Models;

/// <summary>Where the annotated class lives: what the generated partial declaration must repeat.</summary>
/// <param name="MetadataName">The fully qualified metadata name, e.g. <c>Samples.Outer+PolyNorm</c>: the hint name's stem.</param>
/// <param name="Namespace">The containing namespace, empty for the global one.</param>
/// <param name="ClassName">The class's name.</param>
/// <param name="ContainingTypes">The declarations enclosing the class, outermost first, e.g. <c>partial class Outer</c>.</param>
/// <param name="RegistryReference">The fully qualified name the assembly's registry uses, e.g. <c>global::Samples.PolyNorm</c>;
/// null when the registry cannot name the class (private, protected or in a generic type).</param>
internal sealed record HierarchyInfo(string MetadataName, string Namespace, string ClassName, EquatableArray<string> ContainingTypes, string? RegistryReference);
