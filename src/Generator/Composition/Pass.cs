using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// One sweep over a segment (a row for rowwise plans, any run of elements otherwise): <see cref="Before"/> defines
/// the loop's invariants; for every element the reduction terms and the stores are evaluated from the element's
/// inputs (x, g, gate), the parameters, the invariants and the row scalars of earlier passes; then the reductions
/// are complete and <see cref="After"/> defines new row scalars.
/// </summary>
/// <remarks>A pass that decides its own scales (<see cref="Rescales"/>) stores nothing: it may run twice.</remarks>
internal sealed record Pass(IReadOnlyList<Reduction> Reductions, IReadOnlyList<Store> Stores, IReadOnlyList<Definition> After)
{
    /// <summary>Scalars the pass's elements share, computed once before the loop.</summary>
    public IReadOnlyList<Definition> Before { get; init; } = [];

    /// <summary>
    /// Row scales the pass decides for itself (norm's overflow guard, docs/math.md section 4): each named scalar is 1
    /// when the pass first runs; after its reductions, the definitions give the scales the statistics need (1 when
    /// none overflowed), and if any is not 1 the pass runs once more, from its <see cref="Before"/>, with those
    /// scales. <see cref="After"/> follows the last run.
    /// </summary>
    public IReadOnlyList<Definition> Rescales { get; init; } = [];

    /// <summary>Every per-element expression of the pass: reduction terms, then stores.</summary>
    public IReadOnlyList<Expr> ElementExpressions => Reductions.Select(r => r.Term).Concat(Stores.Select(s => s.Value)).ToList();
}
