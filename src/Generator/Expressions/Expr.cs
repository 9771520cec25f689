using System.Globalization;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// A scalar expression in one variable <c>u</c>: the language the elementwise inner functions are defined in.
/// Nodes are records, so equal trees compare equal; simplification and common-subexpression elimination
/// rely on that.
/// </summary>
internal abstract record Expr
{
    public static readonly Expr U = new Variable();
    public static readonly Expr Zero = new Constant(0);
    public static readonly Expr One = new Constant(1);

    public static Expr operator +(Expr a, Expr b) => new Binary(BinaryOp.Add, a, b);
    public static Expr operator -(Expr a, Expr b) => new Binary(BinaryOp.Subtract, a, b);
    public static Expr operator *(Expr a, Expr b) => new Binary(BinaryOp.Multiply, a, b);
    public static Expr operator /(Expr a, Expr b) => new Binary(BinaryOp.Divide, a, b);
    public static Expr operator -(Expr a) => new Unary(UnaryOp.Negate, a);
    public static implicit operator Expr(double value) => new Constant(value);

    public static Expr Max(Expr a, Expr b) => new Binary(BinaryOp.Max, a, b);
    public static Expr Pow(Expr a, int exponent) => new Power(a, exponent);
    public static Expr Apply(UnaryOp op, Expr a) => new Unary(op, a);
}

/// <summary>The variable u.</summary>
internal sealed record Variable : Expr
{
    public override string ToString() => "u";
}

/// <summary>A real constant.</summary>
internal sealed record Constant(double Value) : Expr
{
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>An operator or function of one argument.</summary>
internal sealed record Unary(UnaryOp Op, Expr Argument) : Expr
{
    public override string ToString() => Op == UnaryOp.Negate ? $"-({Argument})" : $"{Op.ToString().ToLowerInvariant()}({Argument})";
}

/// <summary>An operator or function of two arguments.</summary>
internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    public override string ToString() => Op switch
    {
        BinaryOp.Add => $"({Left} + {Right})",
        BinaryOp.Subtract => $"({Left} - {Right})",
        BinaryOp.Multiply => $"({Left} * {Right})",
        BinaryOp.Divide => $"({Left} / {Right})",
        _ => $"max({Left}, {Right})",
    };
}

/// <summary>A power with a whole exponent of at least 2.</summary>
internal sealed record Power(Expr Base, int Exponent) : Expr
{
    public override string ToString() => $"({Base})^{Exponent}";
}

internal enum UnaryOp
{
    Negate,
    Exp,
    Log,
    Tanh,
    Erf,
    Abs,
    Sigmoid,
    Softplus,
    /// <summary>1 for u &gt; 0, else 0: the derivative of max(u, 0), with the subgradient 0 at u = 0 (as torch.relu).</summary>
    Step,
    /// <summary>-1, 0 or 1: the derivative of |u|, with the subgradient 0 at u = 0 (as torch.abs).</summary>
    Sign,
}

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Max,
}
