using System;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Bottom-up simplification that keeps IEEE semantics: constant folding (to finite values only), x + 0, x - 0,
/// 0 - x, x * 1, x * -1, x / 1, --x, sign rules, constants gathered in products, and whole-number powers merged
/// (x * x = x^2, x^a * x^b = x^(a+b) for a and b of one sign, (x^a)^b = x^(ab)). It never rewrites 0 * x, x - x or
/// x * x^-1 to 0 or 1, since those are NaN for an infinite or NaN x (the last also for 0), as eager ops give;
/// derivatives avoid building such terms instead.
/// </summary>
internal static class Simplifier
{
    public static Expr Simplify(Expr e) => e switch
    {
        Call c => SimplifyCall(c.Operation, c.Arguments.AsSpan().ToArray().Select(Simplify).ToArray()),
        Power p => SimplifyPower(Simplify(p.Base), p.Exponent),
        _ => e,
    };

    private static Expr SimplifyCall(Operation op, Expr[] a)
    {
        if (op.Fold is not null && a.All(x => x is Constant))
        {
            double value = op.Fold(a.Select(x => ((Constant)x).Value).ToArray());
            if (!double.IsNaN(value) && !double.IsInfinity(value))
            {
                return new Constant(value);
            }
        }
        if (op == Operations.Negate)
        {
            return a[0] switch
            {
                Call { Operation: var inner } n when inner == Operations.Negate => ((Call)n).Arguments[0],
                Call { Operation: var inner } s when inner == Operations.Subtract => SimplifyCall(Operations.Subtract, [((Call)s).Arguments[1], ((Call)s).Arguments[0]]),
                _ => new Call(op, a),
            };
        }
        if (op == Operations.Add)
        {
            if (IsConstant(a[0], 0)) return a[1];
            if (IsConstant(a[1], 0)) return a[0];
            if (Negated(a[1]) is Expr nb) return SimplifyCall(Operations.Subtract, [a[0], nb]);
            if (Negated(a[0]) is Expr na) return SimplifyCall(Operations.Subtract, [a[1], na]);
        }
        else if (op == Operations.Subtract)
        {
            if (IsConstant(a[1], 0)) return a[0];
            if (IsConstant(a[0], 0)) return SimplifyCall(Operations.Negate, [a[1]]);
            if (Negated(a[1]) is Expr nb) return SimplifyCall(Operations.Add, [a[0], nb]);
        }
        else if (op == Operations.Multiply)
        {
            if (IsConstant(a[0], 1)) return a[1];
            if (IsConstant(a[1], 1)) return a[0];
            if (IsConstant(a[0], -1)) return SimplifyCall(Operations.Negate, [a[1]]);
            if (IsConstant(a[1], -1)) return SimplifyCall(Operations.Negate, [a[0]]);
            if (a[1] is Constant && a[0] is not Constant) return SimplifyCall(op, [a[1], a[0]]); // constants first
            if (Negated(a[0]) is Expr na && Negated(a[1]) is Expr nb2) return SimplifyCall(op, [na, nb2]);
            if (Negated(a[0]) is Expr n0) return SimplifyCall(Operations.Negate, [SimplifyCall(op, [n0, a[1]])]);
            if (Negated(a[1]) is Expr n1) return SimplifyCall(Operations.Negate, [SimplifyCall(op, [a[0], n1])]);
            if (a[0] is Constant c1 && a[1] is Call { Operation: var m } inner && m == Operations.Multiply && inner.Arguments[0] is Constant c2)
            {
                return SimplifyCall(op, [new Constant(c1.Value * c2.Value), inner.Arguments[1]]);
            }
            var (b0, e0) = AsPower(a[0]);
            var (b1, e1) = AsPower(a[1]);
            // Only powers of one sign merge: x^a * x^-b is NaN at 0 and at infinity, where x^(a-b) is not.
            if (b0.Equals(b1) && b0 is not Constant && Math.Sign(e0) == Math.Sign(e1))
            {
                return SimplifyPower(b0, e0 + e1);
            }
        }
        else if (op == Operations.Divide)
        {
            if (IsConstant(a[1], 1)) return a[0];
            if (IsConstant(a[1], -1)) return SimplifyCall(Operations.Negate, [a[0]]);
            if (IsConstant(a[0], 1) && a[1] is not Constant) return SimplifyPower(a[1], -1);
        }
        return new Call(op, a);
    }

    private static Expr SimplifyPower(Expr b, int n)
    {
        if (n == 0) return Expr.One;
        if (n == 1) return b;
        if (b is Constant c)
        {
            double value = Math.Pow(c.Value, n);
            if (!double.IsNaN(value) && !double.IsInfinity(value))
            {
                return new Constant(value);
            }
        }
        if (b is Power inner) return SimplifyPower(inner.Base, inner.Exponent * n);
        if (Negated(b) is Expr nb) return n % 2 == 0 ? SimplifyPower(nb, n) : SimplifyCall(Operations.Negate, [SimplifyPower(nb, n)]);
        return new Power(b, n);
    }

    private static (Expr Base, int Exponent) AsPower(Expr e) => e is Power p ? (p.Base, p.Exponent) : (e, 1);

    private static Expr? Negated(Expr e) => e is Call { Operation: var op } c && op == Operations.Negate ? c.Arguments[0] : null;

    private static bool IsConstant(Expr e, double value) => e is Constant c && c.Value == value;
}
