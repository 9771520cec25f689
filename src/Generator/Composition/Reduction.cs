using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>A per-segment statistic: the terms of every element combined, then available by <see cref="Name"/>.</summary>
internal sealed record Reduction(string Name, ReductionKind Kind, Expr Term)
{
    /// <summary>
    /// For the plan of a grouped norm spec: the parameter slot whose gradient partial this sum is, taken over one
    /// group's columns of the row (the walk writes it for each group); null for a statistic of the whole row.
    /// </summary>
    public int? Slot { get; init; }
}
