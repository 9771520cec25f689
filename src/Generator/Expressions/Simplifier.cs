using System;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Bottom-up algebraic simplification: constant folding and the identities x+0, x*1, x*0, x/1, --x, x^1.
/// Enough to turn symbolic derivatives into the expressions one would write by hand.
/// </summary>
internal static class Simplifier
{
    public static Expr Simplify(Expr e) => e switch
    {
        Unary(var op, var a) => SimplifyUnary(op, Simplify(a)),
        Binary(var op, var a, var b) => SimplifyBinary(op, Simplify(a), Simplify(b)),
        Power(var b, var n) => SimplifyPower(Simplify(b), n),
        _ => e,
    };

    private static Expr SimplifyUnary(UnaryOp op, Expr a)
    {
        if (op == UnaryOp.Negate)
        {
            return a switch
            {
                Constant(var c) => new Constant(-c),
                Unary(UnaryOp.Negate, var inner) => inner,
                _ => new Unary(op, a),
            };
        }
        return new Unary(op, a);
    }

    private static Expr SimplifyPower(Expr b, int n) => (b, n) switch
    {
        (_, 0) => Expr.One,
        (_, 1) => b,
        (Constant(var c), _) => new Constant(Math.Pow(c, n)),
        (Power(var inner, var m), _) => new Power(inner, m * n),
        _ => new Power(b, n),
    };

    private static Expr SimplifyBinary(BinaryOp op, Expr a, Expr b)
    {
        if (a is Constant(var x) && b is Constant(var y) && op != BinaryOp.Max)
        {
            return new Constant(op switch
            {
                BinaryOp.Add => x + y,
                BinaryOp.Subtract => x - y,
                BinaryOp.Multiply => x * y,
                _ => x / y,
            });
        }
        switch (op)
        {
            case BinaryOp.Add:
                if (IsConstant(a, 0)) return b;
                if (IsConstant(b, 0)) return a;
                if (b is Unary(UnaryOp.Negate, var nb)) return SimplifyBinary(BinaryOp.Subtract, a, nb);
                break;
            case BinaryOp.Subtract:
                if (IsConstant(b, 0)) return a;
                if (IsConstant(a, 0)) return SimplifyUnary(UnaryOp.Negate, b);
                if (a == b) return Expr.Zero;
                break;
            case BinaryOp.Multiply:
                if (IsConstant(a, 0) || IsConstant(b, 0)) return Expr.Zero;
                if (IsConstant(a, 1)) return b;
                if (IsConstant(b, 1)) return a;
                if (IsConstant(a, -1)) return SimplifyUnary(UnaryOp.Negate, b);
                if (IsConstant(b, -1)) return SimplifyUnary(UnaryOp.Negate, a);
                if (b is Constant && a is not Constant) return SimplifyBinary(op, b, a); // constants first
                if (a is Constant(var c1) && b is Binary(BinaryOp.Multiply, Constant(var c2), var rest))
                {
                    return SimplifyBinary(op, new Constant(c1 * c2), rest);
                }
                if (a == b) return SimplifyPower(a, 2);
                break;
            case BinaryOp.Divide:
                if (IsConstant(b, 1)) return a;
                if (IsConstant(a, 0)) return Expr.Zero;
                break;
        }
        return new Binary(op, a, b);
    }

    private static bool IsConstant(Expr e, double value) => e is Constant(var c) && c == value;
}
