using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// A plan pass for the CPU kernels: a rowwise plan whose first sweep computes something costly of the element alone (a
/// transcendental of x, the gate or dy and the parameters, such as PolyNormSiLU's silu(x^i)) that a later sweep computes
/// again keeps it in a row buffer instead: the first sweep stores it (<see cref="Pass.Keep"/>), the later ones read it
/// (<see cref="PlanVariables.Kept"/>). The GPU kernels keep their rows' inputs on chip and recompute, which costs them
/// no memory traffic; a CPU core pays for the second evaluation, and a row buffer of a few KiB stays in its cache.
/// </summary>
internal static class RowBuffers
{
    // The operations cheap enough to compute again rather than keep.
    private static readonly HashSet<Operation> Cheap =
    [
        Operations.Add, Operations.Subtract, Operations.Multiply, Operations.Divide, Operations.Negate, Operations.Abs, Operations.Relu,
        Operations.Max, Operations.Min, Operations.Step, Operations.Sign, Operations.Heaviside, Operations.MultiplyAdd, Operations.WherePositive,
        Operations.Rescale,
    ];

    /// <summary><paramref name="plan"/> with the costly element values its later sweeps share with its first kept in row buffers.</summary>
    public static KernelPlan Keep(KernelPlan plan)
    {
        if (!plan.Rowwise)
        {
            return plan;
        }
        var sweeps = Enumerable.Range(0, plan.Passes.Count).Where(i => plan.Passes[i].Given.Count == 0 && plan.Passes[i].ElementExpressions.Count > 0).ToList();
        if (sweeps.Count < 2)
        {
            return plan;
        }
        Pass first = plan.Passes[sweeps[0]];
        var candidates = new HashSet<Expr>();
        foreach (Expr e in first.ElementExpressions)
        {
            Collect(e, candidates);
        }
        if (candidates.Count == 0)
        {
            return plan;
        }
        var kept = new List<Expr>();
        Expr Replace(Expr e)
        {
            if (candidates.Contains(e))
            {
                int k = kept.IndexOf(e);
                if (k < 0)
                {
                    k = kept.Count;
                    kept.Add(e);
                }
                return PlanVariables.Kept(k);
            }
            return e switch
            {
                Call c => new Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(Replace).ToArray()),
                Power p => new Power(Replace(p.Base), p.Exponent),
                _ => e,
            };
        }
        var passes = plan.Passes.ToList();
        foreach (int i in sweeps.Skip(1))
        {
            Pass pass = passes[i];
            passes[i] = pass with
            {
                Reductions = pass.Reductions.Select(r => r with { Term = Replace(r.Term) }).ToList(),
                Stores = pass.Stores.Select(s => s with { Value = Replace(s.Value) }).ToList(),
            };
        }
        if (kept.Count == 0)
        {
            return plan;
        }
        passes[sweeps[0]] = first with { Keep = kept };
        return plan with { Passes = passes };
    }

    // Every subexpression of e that depends on the element and the parameters alone and calls a costly operation.
    private static bool Collect(Expr e, HashSet<Expr> into)
    {
        bool costly = e is Call c && !Cheap.Contains(c.Operation);
        foreach (Expr child in e.Children)
        {
            costly |= Collect(child, into);
        }
        bool ofElement = e.VariableNodes().All(v => v.IsElement || v.Role is VariableRole.Parameter or VariableRole.RowLength);
        bool qualifies = ofElement && costly && e is not (Variable or Constant);
        if (qualifies)
        {
            into.Add(e);
        }
        return costly;
    }
}
