using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// The arithmetic a kernel plan does per element, for compute accounting (the explorer's effective speedup in FLOPs):
/// every operation of the expression language counts as one (add, mul, exp, erf, sigmoid alike), a whole-number power
/// as its multiplications by repeated squaring (and a division when negative), a reduction as one add. A subexpression
/// is counted once per pass, as the kernels evaluate it once (common subexpressions are shared); what does not depend on
/// the element (invariants, row scalars, the gradient partials' per-row arithmetic) is not per element and not counted.
/// </summary>
internal static class OperationCount
{
    /// <summary>The operations <paramref name="plan"/> does per element of a row, summed over its passes.</summary>
    public static int PerElement(KernelPlan plan)
    {
        var perElement = new Dictionary<Expr, bool>(); // whether a subexpression depends on the element, once per subexpression
        return plan.Passes.Sum(pass =>
        {
            var seen = new HashSet<Expr>();
            return pass.Reductions.Count + pass.ElementExpressions.Sum(e => Count(e, seen, perElement));
        });
    }

    private static int Count(Expr e, HashSet<Expr> seen, Dictionary<Expr, bool> perElement)
    {
        if (e is Variable or Constant || !DependsOnElement(e, perElement) || !seen.Add(e))
        {
            return 0;
        }
        int own = e is Power p ? Multiplications(System.Math.Abs(p.Exponent)) + (p.Exponent < 0 ? 1 : 0) : 1;
        return own + e.Children.Sum(c => Count(c, seen, perElement));
    }

    private static bool DependsOnElement(Expr e, Dictionary<Expr, bool> memo)
    {
        if (e is Variable v)
        {
            return v.IsElement;
        }
        if (e is Constant)
        {
            return false;
        }
        if (!memo.TryGetValue(e, out bool depends))
        {
            depends = false;
            foreach (Expr child in e.Children)
            {
                depends |= DependsOnElement(child, memo);
            }
            memo[e] = depends;
        }
        return depends;
    }

    // x^n by repeated squaring: a squaring per bit after the first, and a multiplication per further set bit.
    private static int Multiplications(int n)
    {
        int bits = 0, set = 0;
        for (int m = n; m > 0; m >>= 1)
        {
            bits++;
            set += m & 1;
        }
        return bits - 1 + set - 1;
    }
}
