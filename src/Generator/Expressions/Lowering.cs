using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Rewrites that make expressions cheaper on the CPU without changing what they compute beyond rounding: products and
/// sums contracted into fused multiply-adds, and, in float32, erf computed from the exponential its derivative needs.
/// Applied to the C# kernels only: CUDA contracts by itself (NVRTC's default), and eager code stays as written.
/// </summary>
internal static class Lowering
{
    /// <summary>The roots as the C# kernels of <paramref name="isFloat"/> precision evaluate them.</summary>
    public static IReadOnlyList<Expr> ForCpu(IReadOnlyList<Expr> roots, bool isFloat)
    {
        IReadOnlyList<Expr> lowered = isFloat ? ShareGaussians(roots) : roots;
        return lowered.Select(Contract).ToList();
    }

    // erf(a) -> erf_gaussian(a, exp(-a^2)) wherever exp(-a^2) occurs among the roots anyway.
    private static IReadOnlyList<Expr> ShareGaussians(IReadOnlyList<Expr> roots)
    {
        var gaussians = new HashSet<Expr>();
        foreach (Expr root in roots)
        {
            Visit(root, e =>
            {
                if (e is Call { Operation: var op } exp && op == Operations.Exp && exp.Arguments[0] is Call { Operation: var neg } negated
                    && neg == Operations.Negate && negated.Arguments[0] is Power { Exponent: 2 } square)
                {
                    gaussians.Add(square.Base);
                }
            });
        }
        if (gaussians.Count == 0)
        {
            return roots;
        }
        Expr Rewrite(Expr e) => e switch
        {
            Call c when c.Operation == Operations.Erf && gaussians.Contains(c.Arguments[0]) =>
                Expr.Call(Operations.ErfWithGaussian, Rewrite(c.Arguments[0]), Expr.Call(Operations.Exp, -Expr.Pow(c.Arguments[0], 2))),
            Call c => new Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(Rewrite).ToArray()),
            Power p => new Power(Rewrite(p.Base), p.Exponent),
            _ => e,
        };
        return roots.Select(Rewrite).ToList();
    }

    // a * b + c and c + a * b -> fma(a, b, c), bottom up.
    private static Expr Contract(Expr e)
    {
        switch (e)
        {
            case Call c:
            {
                Expr[] arguments = c.Arguments.AsSpan().ToArray().Select(Contract).ToArray();
                if (c.Operation == Operations.Add)
                {
                    if (arguments[0] is Call { Operation: var left } product && left == Operations.Multiply)
                    {
                        return Expr.Call(Operations.MultiplyAdd, product.Arguments[0], product.Arguments[1], arguments[1]);
                    }
                    if (arguments[1] is Call { Operation: var right } product2 && right == Operations.Multiply)
                    {
                        return Expr.Call(Operations.MultiplyAdd, product2.Arguments[0], product2.Arguments[1], arguments[0]);
                    }
                }
                return new Call(c.Operation, arguments);
            }
            case Power p:
                return new Power(Contract(p.Base), p.Exponent);
            default:
                return e;
        }
    }

    private static void Visit(Expr e, System.Action<Expr> action)
    {
        action(e);
        foreach (Expr child in e.Children)
        {
            Visit(child, action);
        }
    }
}
