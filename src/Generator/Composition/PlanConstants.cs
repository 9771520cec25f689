using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// The constants a spec's kernels need once composed, simplified and differentiated (a written 1e38 * x^8 needs
/// 8e38 in its derivative): each must be a finite float32, the kernels' arithmetic, or the spec is reported rather
/// than emitted.
/// </summary>
internal static class PlanConstants
{
    /// <summary>The first constant of the spec's plans whose magnitude is beyond float32's range, or NaN; null when there is none.</summary>
    public static double? FirstOutOfRange(SpecModel spec) =>
        Plans(spec).SelectMany(p => p.Expressions).SelectMany(Constants).Cast<double?>().FirstOrDefault(c => !(System.Math.Abs(c!.Value) <= KernelContract.Float32Max));

    // The plans the emitters lower: the kernels' (with row scaling) and the eager forward's (the paper's formula).
    private static IEnumerable<KernelPlan> Plans(SpecModel spec)
    {
        yield return Composer.Forward(spec, rowScaling: true);
        yield return Composer.Backward(spec, rowScaling: true);
        yield return Composer.Forward(spec, rowScaling: false);
    }

    private static IEnumerable<double> Constants(Expr e) =>
        e is Constant c ? [c.Value] : e.Children.SelectMany(Constants);
}
