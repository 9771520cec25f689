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

    /// <summary>
    /// For a split plan (tensor parallelism, <see cref="TensorParallelSplit"/>): the stage of the statistics kernel the pass
    /// belongs to (the kernel runs one stage per launch); null in every other plan.
    /// </summary>
    public int? Stage { get; init; }

    /// <summary>
    /// For a split plan: when not empty, the pass does not sweep: its totals (and scales) are these columns of the row's
    /// statistics, all-reduced over the ranks after an earlier launch, and <see cref="After"/> follows from them.
    /// </summary>
    public IReadOnlyList<StatisticColumn> Given { get; init; } = [];

    /// <summary>For a split plan: the columns of the row's statistics the pass writes its totals and scales to after its sweep.</summary>
    public IReadOnlyList<StatisticColumn> Publish { get; init; } = [];

    /// <summary>
    /// For a split plan's statistics stage whose pass decides scales: the totals of its earlier, all-reduced run that the
    /// scales come from. The pass runs once, with scales 1, or, when the launch says so, with the scales
    /// <see cref="Rescales"/> computes from these columns (the one-shot kernel's second run).
    /// </summary>
    public IReadOnlyList<StatisticColumn> ScalesFrom { get; init; } = [];

    /// <summary>
    /// For a CPU kernel's plan (<see cref="RowBuffers"/>): the element values the sweep stores in the row buffers 0, 1 ...,
    /// which later sweeps read as <see cref="PlanVariables.Kept"/> instead of computing them again. Empty in every other plan.
    /// </summary>
    public IReadOnlyList<Expr> Keep { get; init; } = [];

    /// <summary>Every per-element expression of the pass: reduction terms, then stores.</summary>
    public IReadOnlyList<Expr> ElementExpressions => Reductions.Select(r => r.Term).Concat(Stores.Select(s => s.Value)).ToList();
}
