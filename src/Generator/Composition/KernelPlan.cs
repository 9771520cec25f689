using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// A kernel as data: its passes, and for a backward the gradient partials of a segment (expressions of its row
/// scalars), one per parameter slot: a PolyCom's dweight[0..Order-1] and dbias, then its named parameters'. Every backend lowers the same plan: the C# CPU kernels,
/// the CUDA kernels and the eager TorchSharp code.
/// </summary>
/// <param name="Rowwise">True when passes reduce over rows (norm); false when the one pass is elementwise.</param>
internal sealed record KernelPlan(bool Rowwise, IReadOnlyList<Pass> Passes, IReadOnlyList<Expr> Partials)
{
    /// <summary>
    /// For a split plan (<see cref="TensorParallelSplit"/>): the row's statistics the kernel reads or writes; null for a
    /// plan that keeps its statistics to itself. The rows it sweeps are then shards of rows whose length the launch gives.
    /// </summary>
    public StatisticsRow? Statistics { get; init; }

    /// <summary>Every expression of the plan: each pass's invariants, scales, element expressions and row scalars, then the partials.</summary>
    public IEnumerable<Expr> Expressions => Passes
        .SelectMany(p => p.Before.Concat(p.Rescales).Select(d => d.Value).Concat(p.ElementExpressions).Concat(p.After.Select(d => d.Value)))
        .Concat(Partials);

    /// <summary>
    /// The sums that are themselves gradient partials of a group (<see cref="Reduction.Slot"/>), in slot order: a
    /// grouped norm plan's, whose <see cref="Partials"/> are empty.
    /// </summary>
    public IReadOnlyList<Reduction> SlotReductions => Passes.SelectMany(p => p.Reductions).Where(r => r.Slot is not null).OrderBy(r => r.Slot).ToList();

    /// <summary>Whether the backward gives any parameter's gradient: by partials, or by slot reductions.</summary>
    public bool HasGradients => Partials.Count > 0 || SlotReductions.Count > 0;

    /// <summary>The element inputs a pass reads, in the order x, g, gate.</summary>
    public static IReadOnlyList<Variable> InputsOf(Pass pass)
    {
        var used = new HashSet<Variable>(pass.ElementExpressions.SelectMany(e => e.VariableNodes()));
        return new[] { PlanVariables.X, PlanVariables.Upstream, PlanVariables.Gate }.Where(used.Contains).ToList();
    }

    /// <summary>The parameters and per-spec values the plan reads: the parameters it uses (by slot), the row length.</summary>
    public PlanParameters Parameters
    {
        get
        {
            var used = new HashSet<Variable>(Expressions.SelectMany(e => e.VariableNodes()));
            return new PlanParameters(
                used.Where(v => v.Role == VariableRole.Parameter).OrderBy(v => v.Index).ToList(),
                used.Contains(PlanVariables.RowLength));
        }
    }
}
