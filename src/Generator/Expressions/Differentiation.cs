using System;

namespace PolyComGen.Generator.Expressions;

/// <summary>Symbolic derivatives d/du, simplified.</summary>
internal static class Differentiation
{
    public static Expr Derivative(Expr e) => Simplifier.Simplify(D(e));

    private static Expr D(Expr e) => e switch
    {
        Variable => Expr.One,
        Constant => Expr.Zero,
        Power(var b, var n) => n * Expr.Pow(b, n - 1) * D(b),
        Binary(BinaryOp.Add, var a, var b) => D(a) + D(b),
        Binary(BinaryOp.Subtract, var a, var b) => D(a) - D(b),
        Binary(BinaryOp.Multiply, var a, var b) => D(a) * b + a * D(b),
        Binary(BinaryOp.Divide, var a, var b) => (D(a) * b - a * D(b)) / Expr.Pow(b, 2),
        Binary(BinaryOp.Max, var a, var b) => Expr.Apply(UnaryOp.Step, a - b) * D(a) + (1 - Expr.Apply(UnaryOp.Step, a - b)) * D(b),
        Unary(var op, var a) => Outer(op, a) * D(a),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown expression node."),
    };

    // d op(a) / da, in terms of a.
    private static Expr Outer(UnaryOp op, Expr a) => op switch
    {
        UnaryOp.Negate => -1,
        UnaryOp.Exp => Expr.Apply(UnaryOp.Exp, a),
        UnaryOp.Log => 1 / a,
        UnaryOp.Tanh => 1 - Expr.Pow(Expr.Apply(UnaryOp.Tanh, a), 2),
        UnaryOp.Erf => 2 / Math.Sqrt(Math.PI) * Expr.Apply(UnaryOp.Exp, -Expr.Pow(a, 2)),
        UnaryOp.Abs => Expr.Apply(UnaryOp.Sign, a),
        UnaryOp.Sigmoid => Expr.Apply(UnaryOp.Sigmoid, a) * (1 - Expr.Apply(UnaryOp.Sigmoid, a)),
        UnaryOp.Softplus => Expr.Apply(UnaryOp.Sigmoid, a),
        UnaryOp.Step or UnaryOp.Sign => Expr.Zero,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown function."),
    };
}
