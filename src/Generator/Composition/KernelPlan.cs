using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>How a reduction combines a pass's per-element terms over a segment.</summary>
internal enum ReductionKind
{
    /// <summary>The sum (in a fixed order, so deterministic).</summary>
    Sum,

    /// <summary>The largest value (the terms are magnitudes, so 0 is the identity).</summary>
    Max,
}

/// <summary>A per-segment statistic: the terms of every element combined, then available by <see cref="Name"/>.</summary>
internal sealed record Reduction(string Name, ReductionKind Kind, Expr Term);

/// <summary>A name bound to an expression: a row scalar computed after a pass, or an element output stored by it.</summary>
internal sealed record Definition(string Name, Expr Value);

/// <summary>
/// One sweep over a segment (a row for rowwise plans, any run of elements otherwise): <see cref="Before"/> defines
/// the loop's invariants; for every element the reduction terms and the stores are evaluated from the element's
/// inputs (x, g, gate), the parameters, the invariants and the row scalars of earlier passes; then the reductions
/// are complete and <see cref="After"/> defines new row scalars.
/// </summary>
internal sealed record Pass(IReadOnlyList<Reduction> Reductions, IReadOnlyList<Definition> Stores, IReadOnlyList<Definition> After)
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

/// <summary>
/// A kernel as data: its passes, and for a backward the Order + 1 gradient partials of a segment (expressions of
/// its row scalars), for dweight[0..Order-1] and dbias. Every backend lowers the same plan: the C# CPU kernels,
/// the CUDA kernels and the eager TorchSharp code.
/// </summary>
/// <param name="Rowwise">True when passes reduce over rows (norm); false when the one pass is elementwise.</param>
internal sealed record KernelPlan(bool Rowwise, IReadOnlyList<Pass> Passes, IReadOnlyList<Expr> Partials)
{
    /// <summary>Every expression of the plan: each pass's invariants, scales, element expressions and row scalars, then the partials.</summary>
    public IEnumerable<Expr> Expressions => Passes
        .SelectMany(p => p.Before.Concat(p.Rescales).Select(d => d.Value).Concat(p.ElementExpressions).Concat(p.After.Select(d => d.Value)))
        .Concat(Partials);

    /// <summary>The element inputs a pass reads, in the order x, g, gate.</summary>
    public static IReadOnlyList<string> InputsOf(Pass pass)
    {
        var used = new HashSet<string>(pass.ElementExpressions.SelectMany(e => e.Variables()));
        return new[] { PlanNames.X, PlanNames.Upstream, PlanNames.Gate }.Where(used.Contains).ToList();
    }
}

/// <summary>The variable names plans share with their backends.</summary>
internal static class PlanNames
{
    /// <summary>The element of x.</summary>
    public const string X = "x";

    /// <summary>The element of the incoming gradient dy.</summary>
    public const string Upstream = "g";

    /// <summary>The element of the gate (gated specs).</summary>
    public const string Gate = "gate";

    /// <summary>The bias.</summary>
    public const string Bias = "b";

    /// <summary>The row length, as a real number (rowwise plans).</summary>
    public const string RowLength = "h";

    /// <summary>The store of the forward's output.</summary>
    public const string Output = "y";

    /// <summary>The store of dx.</summary>
    public const string InputGradient = "dx";

    /// <summary>The store of dgate.</summary>
    public const string GateGradient = "dgate";

    /// <summary>The weight w[k-1], for k from 1.</summary>
    public static string Weight(int k) => "w" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="name"/> is a weight or the bias.</summary>
    public static bool IsParameter(string name) => name == Bias || (name.Length >= 2 && name[0] == 'w' && name.Skip(1).All(char.IsDigit));

    /// <summary>Whether <paramref name="name"/> is an element input.</summary>
    public static bool IsElement(string name) => name is X or Upstream or Gate;
}
