using System;
using System.Globalization;

namespace PolyComGen.Generator.Expressions;

/// <summary>How one target language spells constants, operators and functions.</summary>
internal abstract class ExpressionDialect
{
    public abstract string Constant(double value);

    public abstract string Unary(UnaryOp op, string a);

    public virtual string Binary(BinaryOp op, string a, string b) => op switch
    {
        BinaryOp.Add => $"({a} + {b})",
        BinaryOp.Subtract => $"({a} - {b})",
        BinaryOp.Multiply => $"{a} * {b}",
        BinaryOp.Divide => $"{a} / ({b})",
        _ => Max(a, b),
    };

    protected abstract string Max(string a, string b);

    public abstract string Declare(string name, string value);

    public virtual bool Supports(UnaryOp op) => true;

    /// <summary>A literal with a decimal point or exponent, as C, C++ and C# all read it.</summary>
    protected static string RealLiteral(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Constants must be finite.");
        }
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }
}

/// <summary>Scalar C# in float or double.</summary>
internal sealed class CSharpScalarDialect : ExpressionDialect
{
    public static readonly CSharpScalarDialect Float = new(isFloat: true);
    public static readonly CSharpScalarDialect Double = new(isFloat: false);

    private readonly bool isFloat;

    private CSharpScalarDialect(bool isFloat) => this.isFloat = isFloat;

    public string TypeName => isFloat ? "float" : "double";

    private string MathClass => isFloat ? "global::System.MathF" : "global::System.Math";

    public override string Constant(double value) => isFloat
        ? RealLiteral((float)value) + "f"
        : RealLiteral(value) + "d";

    public override string Unary(UnaryOp op, string a) => op switch
    {
        UnaryOp.Negate => $"-({a})",
        UnaryOp.Exp => $"{MathClass}.Exp({a})",
        UnaryOp.Log => $"{MathClass}.Log({a})",
        UnaryOp.Tanh => $"{MathClass}.Tanh({a})",
        UnaryOp.Abs => $"{MathClass}.Abs({a})",
        _ => $"global::PolyComGen.Kernels.PolyMath.{op}({a})",
    };

    protected override string Max(string a, string b) => $"{MathClass}.Max({a}, {b})";

    public override string Declare(string name, string value) => $"{TypeName} {name} = {value};";
}

/// <summary>
/// C# over <c>System.Numerics.Vector&lt;T&gt;</c>; transcendental functions call the Vector&lt;T&gt; overloads of
/// <c>PolyComGen.Kernels.PolyMath</c>.
/// </summary>
internal sealed class CSharpVectorDialect : ExpressionDialect
{
    public static readonly CSharpVectorDialect Float = new(CSharpScalarDialect.Float);
    public static readonly CSharpVectorDialect Double = new(CSharpScalarDialect.Double);

    private readonly CSharpScalarDialect scalar;

    private CSharpVectorDialect(CSharpScalarDialect scalar) => this.scalar = scalar;

    public string TypeName => $"global::System.Numerics.Vector<{scalar.TypeName}>";

    public string Splat(string scalarValue) => $"new {TypeName}({scalarValue})";

    public override string Constant(double value) => value switch
    {
        0 => $"{TypeName}.Zero",
        1 => $"{TypeName}.One",
        _ => Splat(scalar.Constant(value)),
    };

    // Everything but erf in double, whose only accurate form here is a scalar series.
    public override bool Supports(UnaryOp op) => op != UnaryOp.Erf || scalar == CSharpScalarDialect.Float;

    public override string Unary(UnaryOp op, string a) => op switch
    {
        UnaryOp.Negate => $"-({a})",
        UnaryOp.Abs => $"global::System.Numerics.Vector.Abs({a})",
        // x > 0 selects one, anything else (0, negative, NaN) zero: torch's relu and abs subgradients.
        UnaryOp.Step => $"global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.GreaterThan({a}, {TypeName}.Zero), {TypeName}.One, {TypeName}.Zero)",
        UnaryOp.Sign => $"(global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.GreaterThan({a}, {TypeName}.Zero), {TypeName}.One, {TypeName}.Zero) - global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.LessThan({a}, {TypeName}.Zero), {TypeName}.One, {TypeName}.Zero))",
        _ => $"global::PolyComGen.Kernels.PolyMath.{op}({a})",
    };

    protected override string Max(string a, string b) => $"global::System.Numerics.Vector.Max({a}, {b})";

    public override string Declare(string name, string value) => $"{TypeName} {name} = {value};";
}

/// <summary>CUDA C++ in float, calling the helpers that <c>CudaKernelEmitter</c> defines in each translation unit.</summary>
internal sealed class CudaDialect : ExpressionDialect
{
    public static readonly CudaDialect Instance = new();

    public override string Constant(double value) => RealLiteral((float)value) + "f";

    public override string Unary(UnaryOp op, string a) => op switch
    {
        UnaryOp.Negate => $"-({a})",
        UnaryOp.Exp => $"expf({a})",
        UnaryOp.Log => $"logf({a})",
        UnaryOp.Tanh => $"tanhf({a})",
        UnaryOp.Erf => $"erff({a})",
        UnaryOp.Abs => $"fabsf({a})",
        UnaryOp.Sigmoid => $"pcg_sigmoid({a})",
        UnaryOp.Softplus => $"pcg_softplus({a})",
        UnaryOp.Step => $"pcg_step({a})",
        UnaryOp.Sign => $"pcg_sign({a})",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown function."),
    };

    protected override string Max(string a, string b) => $"pcg_max({a}, {b})";

    public override string Declare(string name, string value) => $"const float {name} = {value};";
}
