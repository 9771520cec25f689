using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>Moving what does not change from element to element out of a pass.</summary>
internal static class Hoisting
{
    /// <summary>
    /// Every pass of <paramref name="plan"/> with its largest element-independent subexpressions (products of weights,
    /// powers of row scalars ...) defined once in <see cref="Pass.Before"/> and referred to by name.
    /// </summary>
    public static KernelPlan HoistInvariants(KernelPlan plan) =>
        plan with { Passes = plan.Passes.Select((pass, index) => Hoist(pass, "i" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "_")).ToList() };

    private static Pass Hoist(Pass pass, string prefix)
    {
        var names = new Dictionary<Expr, string>();
        var before = new List<Definition>();
        Expr Rewrite(Expr e)
        {
            if (e is Variable or Constant)
            {
                return e;
            }
            if (!e.VariableNodes().Any(v => v.IsElement))
            {
                if (!names.TryGetValue(e, out string? name))
                {
                    name = prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    names[e] = name;
                    before.Add(new Definition(name, e));
                }
                return PlanVariables.Row(name);
            }
            return e switch
            {
                Call c => new Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(Rewrite).ToArray()),
                Power p => new Power(Rewrite(p.Base), p.Exponent),
                _ => e,
            };
        }
        var reductions = pass.Reductions.Select(r => r with { Term = Rewrite(r.Term) }).ToList();
        var stores = pass.Stores.Select(s => s with { Value = Rewrite(s.Value) }).ToList();
        return pass with { Before = [.. pass.Before, .. before], Reductions = reductions, Stores = stores };
    }
}
