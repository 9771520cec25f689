using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Tests.Expressions;

namespace PolyComGen.Tests.Composition;

/// <summary>
/// Runs kernel plans in double precision with the tests' own evaluator, one row at a time, as every backend must:
/// per pass, the invariants, then each element's reduction terms and stores, then the row scalars.
/// </summary>
internal static class PlanInterpreter
{
    /// <summary>The stores of every element (by name) and the partials of the row.</summary>
    public sealed record RowResult(Dictionary<ElementOutput, double[]> Stores, double[] Partials);

    public static RowResult Run(KernelPlan plan, double[] x, double[]? upstream, double[]? gate, double[] weights, double bias)
    {
        var scalars = new Dictionary<string, double> { [PlanVariables.Bias(weights.Length).Name] = bias, [PlanVariables.RowLength.Name] = x.Length };
        for (int k = 1; k <= weights.Length; k++)
        {
            scalars[PlanVariables.Weight(k).Name] = weights[k - 1];
        }
        var stores = new Dictionary<ElementOutput, double[]>();
        foreach (Pass pass in plan.Passes)
        {
            foreach (Definition rescale in pass.Rescales)
            {
                scalars[rescale.Name] = 1;
            }
            Sweep(pass, x, upstream, gate, scalars, stores);
            var scales = pass.Rescales.Select(d => (d.Name, Value: Evaluator.Evaluate(d.Value, scalars))).ToList();
            if (scales.Any(s => s.Value != 1))
            {
                foreach (var (name, value) in scales)
                {
                    scalars[name] = value;
                }
                Sweep(pass, x, upstream, gate, scalars, stores);
            }
            foreach (Definition d in pass.After)
            {
                scalars[d.Name] = Evaluator.Evaluate(d.Value, scalars);
            }
        }
        return new RowResult(stores, plan.Partials.Select(p => Evaluator.Evaluate(p, scalars)).ToArray());
    }

    // One run of a pass: its invariants, every element's terms and stores, the reductions.
    private static void Sweep(Pass pass, double[] x, double[]? upstream, double[]? gate, Dictionary<string, double> scalars, Dictionary<ElementOutput, double[]> stores)
    {
        {
            foreach (Definition d in pass.Before)
            {
                scalars[d.Name] = Evaluator.Evaluate(d.Value, scalars);
            }
            double[] totals = new double[pass.Reductions.Count];
            foreach (Store s in pass.Stores)
            {
                stores[s.Output] = new double[x.Length];
            }
            for (int i = 0; i < x.Length; i++)
            {
                var element = new Dictionary<string, double>(scalars) { [PlanVariables.X.Name] = x[i] };
                if (upstream is not null) element[PlanVariables.Upstream.Name] = upstream[i];
                if (gate is not null) element[PlanVariables.Gate.Name] = gate[i];
                for (int r = 0; r < pass.Reductions.Count; r++)
                {
                    double term = Evaluator.Evaluate(pass.Reductions[r].Term, element);
                    totals[r] = pass.Reductions[r].Kind == ReductionKind.Sum ? totals[r] + term : Math.Max(totals[r], term);
                }
                foreach (Store s in pass.Stores)
                {
                    stores[s.Output][i] = Evaluator.Evaluate(s.Value, element);
                }
            }
            for (int r = 0; r < pass.Reductions.Count; r++)
            {
                scalars[pass.Reductions[r].Name] = totals[r];
            }
        }
    }
}
