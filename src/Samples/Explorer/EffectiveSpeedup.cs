using System;
using System.Collections.Generic;

namespace PolyComGen.Samples.Explorer;

/// <summary>A validation loss measured after <see cref="Step"/> training steps.</summary>
public readonly record struct CurvePoint(int Step, double Loss);

/// <summary>
/// The paper's convergence metric, as small-scale activation studies report it ("effective speedup"): for the same
/// validation loss, the steps the baseline needs over the steps the variant needs, read from the two validation
/// curves (linear between measurements) at the worse of their two final losses, the one both curves reach. A variant
/// that ends lower than the baseline reaches the baseline's final loss sooner: a speedup above 1; one that ends higher
/// never reaches the baseline's final loss, and the baseline reaches the variant's sooner: a speedup below 1. Both
/// models take the same tokens per step; the speedup in FLOPs (<see cref="VariantSummary.SpeedupOver"/>) weighs the
/// steps by each model's FLOPs per step (<see cref="TrainingCompute"/>), the activation's own arithmetic included.
/// </summary>
public static class EffectiveSpeedup
{
    /// <summary>The effective speedup of <paramref name="variant"/> over <paramref name="baseline"/>; NaN when either curve is empty.</summary>
    public static double Of(IReadOnlyList<CurvePoint> baseline, IReadOnlyList<CurvePoint> variant)
    {
        if (baseline.Count == 0 || variant.Count == 0 || !double.IsFinite(baseline[^1].Loss) || !double.IsFinite(variant[^1].Loss))
        {
            return double.NaN;
        }
        double target = Math.Max(baseline[^1].Loss, variant[^1].Loss);
        return StepsToReach(baseline, target) / StepsToReach(variant, target);
    }

    /// <summary>
    /// The first (fractional) step at which <paramref name="curve"/> reaches <paramref name="loss"/>, linear between its
    /// points; its last step when it only reaches it there; infinity when it never does.
    /// </summary>
    public static double StepsToReach(IReadOnlyList<CurvePoint> curve, double loss)
    {
        for (int i = 0; i < curve.Count; i++)
        {
            if (curve[i].Loss <= loss)
            {
                if (i == 0)
                {
                    return curve[0].Step;
                }
                CurvePoint before = curve[i - 1], after = curve[i];
                return before.Step + (before.Loss - loss) / (before.Loss - after.Loss) * (after.Step - before.Step);
            }
        }
        return double.PositiveInfinity;
    }
}
