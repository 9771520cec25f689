using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Rewrites that make expressions cheaper on the CPU without changing what they compute beyond rounding: products and
/// sums contracted into fused multiply-adds, and, in float32, each transcendental computed once where one identity
/// gives several: erf from the exponential its derivative needs, and sigmoid, softplus and tanh(softplus) of one
/// argument from one exp(-|a|) (docs/math.md, section 6a). Applied to the C# kernels only: CUDA contracts by itself
/// (NVRTC's default), and eager code stays as written.
/// </summary>
internal static class Lowering
{
    /// <summary>The roots as the C# kernels of <paramref name="isFloat"/> precision evaluate them.</summary>
    public static IReadOnlyList<Expr> ForCpu(IReadOnlyList<Expr> roots, bool isFloat)
    {
        IReadOnlyList<Expr> lowered = isFloat ? ShareExponentials(ShareGaussians(roots)) : roots;
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
            _ => WithChildren(e, Rewrite),
        };
        return roots.Select(Rewrite).ToList();
    }

    // sigmoid(a), softplus(a) and tanh(softplus(a)) from e = exp(-|a|), for every a that has two of them among the roots
    // (sigmoid is softplus' derivative), or tanh(softplus(a)) at all (two transcendentals, and tanh's derivative):
    //   sigmoid(a)       = (a > 0 ? 1 : e) / (1 + e)
    //   softplus(a)      = relu(a) + log1p(e)
    //   tanh(softplus(a)) = n / (n + (a > 0 ? 2 e^2 : 2)),  n = a > 0 ? 1 + 2 e : e (e + 2)
    // (with s = exp(a), tanh(log(1 + s)) = (s^2 + 2 s) / (s^2 + 2 s + 2); multiplied through by e^2 above 0). No form
    // overflows or cancels: e is in [0, 1], every sum has terms of one sign. One exp and a division replace up to
    // three exponentials, a logarithm and two divisions.
    private static IReadOnlyList<Expr> ShareExponentials(IReadOnlyList<Expr> roots)
    {
        var uses = new Dictionary<Expr, HashSet<string>>();
        void Use(Expr argument, string name)
        {
            if (!uses.TryGetValue(argument, out HashSet<string>? names))
            {
                uses[argument] = names = new HashSet<string>();
            }
            names.Add(name);
        }
        void Count(Expr e)
        {
            if (TanhOfSoftplus(e) is Expr inner)
            {
                Use(inner, "tanh_softplus");
                Count(inner);
                return;
            }
            if (e is Call c && (c.Operation == Operations.Sigmoid || c.Operation == Operations.Softplus))
            {
                Use(c.Arguments[0], c.Operation.Name);
            }
            foreach (Expr child in e.Children)
            {
                Count(child);
            }
        }
        foreach (Expr root in roots)
        {
            Count(root);
        }
        var shared = new HashSet<Expr>(uses.Where(u => u.Value.Count >= 2 || u.Value.Contains("tanh_softplus")).Select(u => u.Key));
        if (shared.Count == 0)
        {
            return roots;
        }
        Expr Rewrite(Expr e)
        {
            if (TanhOfSoftplus(e) is Expr inner && shared.Contains(inner))
            {
                Expr a = Rewrite(inner);
                Expr x = Shared(a);
                Expr n = WherePositive(a, 1 + 2 * x, x * (x + 2));
                return n / (n + WherePositive(a, 2 * Expr.Pow(x, 2), 2));
            }
            switch (e)
            {
                case Call c when c.Operation == Operations.Sigmoid && shared.Contains(c.Arguments[0]):
                {
                    Expr a = Rewrite(c.Arguments[0]);
                    return WherePositive(a, 1, Shared(a)) / (1 + Shared(a));
                }
                case Call c when c.Operation == Operations.Softplus && shared.Contains(c.Arguments[0]):
                {
                    Expr a = Rewrite(c.Arguments[0]);
                    return Expr.Call(Operations.Relu, a) + Expr.Call(Operations.Log1p, Shared(a));
                }
                default:
                    return WithChildren(e, Rewrite);
            }
        }
        return roots.Select(Rewrite).ToList();

        static Expr Shared(Expr a) => Expr.Call(Operations.Exp, -Expr.Call(Operations.Abs, a));
        static Expr WherePositive(Expr a, Expr positive, Expr otherwise) => Expr.Call(Operations.WherePositive, a, positive, otherwise);
        static Expr? TanhOfSoftplus(Expr e) =>
            e is Call { Operation: var t } tanh && t == Operations.Tanh && tanh.Arguments[0] is Call { Operation: var s } softplus && s == Operations.Softplus
                ? softplus.Arguments[0]
                : null;
    }

    // e with each child rewritten by the rewrite that called this for what it does not rewrite itself.
    private static Expr WithChildren(Expr e, System.Func<Expr, Expr> rewrite) => e switch
    {
        Call c => new Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(rewrite).ToArray()),
        Power p => new Power(rewrite(p.Base), p.Exponent),
        _ => e,
    };

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
