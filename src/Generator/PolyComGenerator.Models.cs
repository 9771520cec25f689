using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator;

/// <summary>
/// Everything the output step needs for one annotated class, and nothing from the compilation: where the class lives,
/// its spec, and the spec lowered once (<see cref="LoweredSpec"/>). Equal when the class and the spec are: the lowered
/// spec is a function of the spec, so the pipeline's cache compares what determines the output and nothing more.
/// </summary>
internal sealed record PolyComModel(HierarchyInfo Hierarchy, SpecModel Spec, LoweredSpec Lowered)
{
    /// <inheritdoc/>
    public bool Equals(PolyComModel? other) => other is not null && Hierarchy.Equals(other.Hierarchy) && Spec.Equals(other.Spec);

    /// <inheritdoc/>
    public override int GetHashCode() => (Hierarchy, Spec).GetHashCode();
}

/// <summary>A module's generated source, or the internal error that stopped it (PCG0099); never both.</summary>
/// <param name="Hierarchy">The class.</param>
/// <param name="Source">The generated partial class; null when emitting failed.</param>
/// <param name="Failure">Why emitting failed; null when it did not.</param>
internal sealed record EmittedModule(HierarchyInfo Hierarchy, string? Source, DiagnosticInfo? Failure);
