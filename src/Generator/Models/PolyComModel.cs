namespace PolyComGen.Generator.Models;

/// <summary>Everything the output step needs for one annotated class, and nothing from the compilation.</summary>
internal sealed record PolyComModel(HierarchyInfo Hierarchy, SpecModel Spec);
