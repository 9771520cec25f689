using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// A spec lowered once, for every emitter to read: the kernels' forward and backward plans (rows scaled before norm's
/// statistics), the eager forward (the paper's formula as written), the slot table, and for the rowwise specs that
/// split over a tensor-parallel group the layouts of their split plans. Built by <see cref="Lower"/>, in the generator's
/// Extract step (which checks its constants), and never composed again.
/// </summary>
internal sealed class LoweredSpec
{
    private LoweredSpec(SpecModel spec, SlotTable slots, KernelPlan forward, KernelPlan backward, KernelPlan eagerForward, SplitPlans? split)
    {
        CpuForward = RowBuffers.Keep(forward);
        CpuBackward = RowBuffers.Keep(backward);
        Spec = spec;
        Slots = slots;
        Forward = forward;
        Backward = backward;
        EagerForward = eagerForward;
        Split = split;
    }

    /// <summary>The validated spec.</summary>
    public SpecModel Spec { get; }

    /// <summary>The parameter slots.</summary>
    public SlotTable Slots { get; }

    /// <summary>The fused forward: y (times the gate).</summary>
    public KernelPlan Forward { get; }

    /// <summary>The fused backward: dx (and dgate) and the parameters' gradient partials.</summary>
    public KernelPlan Backward { get; }

    /// <summary>The forward as the CPU kernels run it: <see cref="Forward"/> with its costly shared values kept in row buffers.</summary>
    public KernelPlan CpuForward { get; }

    /// <summary>The backward as the CPU kernels run it (<see cref="RowBuffers"/>).</summary>
    public KernelPlan CpuBackward { get; }

    /// <summary>The paper's formula as written (no row scaling), which eager ops evaluate and autograd differentiates.</summary>
    public KernelPlan EagerForward { get; }

    /// <summary>The plans split for rows sharded over ranks; null for elementwise or grouped specs.</summary>
    public SplitPlans? Split { get; }

    /// <summary>Every plan the emitters lower.</summary>
    public IEnumerable<KernelPlan> Plans => Split is null
        ? [Forward, Backward, EagerForward]
        : [Forward, Backward, EagerForward, Split.Forward.Statistics, Split.Forward.Apply, Split.Backward.Statistics, Split.Backward.Apply];

    /// <summary>Composes <paramref name="spec"/>'s plans and splits them where the contract has split kernels.</summary>
    public static LoweredSpec Lower(SpecModel spec)
    {
        KernelPlan forward = Composer.Forward(spec, rowScaling: true), backward = Composer.Backward(spec, rowScaling: true);
        SplitPlans? split = KernelContract.HasSplitKernels(forward.Rowwise, spec.Groups)
            ? new SplitPlans(TensorParallelSplit.Split(forward), TensorParallelSplit.Split(backward))
            : null;
        return new LoweredSpec(spec, SlotTable.Of(spec), forward, backward, Composer.Forward(spec, rowScaling: false), split);
    }

    /// <summary>
    /// The first constant of the plans whose magnitude is beyond float32's range, or NaN; null when there is none. A
    /// written 1e38 * x^8 needs 8e38 in its derivative: each constant must be a finite float32, the kernels' arithmetic.
    /// </summary>
    public double? FirstConstantOutOfRange =>
        Plans.SelectMany(p => p.Expressions).SelectMany(Constants).Cast<double?>().FirstOrDefault(c => !(System.Math.Abs(c!.Value) <= KernelContract.Float32Max));

    private static IEnumerable<double> Constants(Expr e) =>
        e is Constant c ? [c.Value] : e.Children.SelectMany(Constants);
}

/// <summary>A rowwise spec's forward and backward split for rows sharded over ranks (docs/math.md section 5b).</summary>
internal sealed record SplitPlans(SplitPlan Forward, SplitPlan Backward);
