using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>The operations, one row each.</summary>
internal static class Operations
{
    // exp(x) - 1 without the cancellation near 0 (Kahan): (u - 1) x / log(u), u = exp(x), for |x| < 1/2; u - 1 beyond.
    private static double ExpMinusOne(double x)
    {
        double u = Math.Exp(x);
        return !(Math.Abs(x) < 0.5) ? u - 1 : u == 1 ? x : (u - 1) * x / Math.Log(u);
    }

    private const string Cpu = "global::PolyComGen.Backends.Cpu.PolyMath";
    private const string Vec = "global::System.Numerics.Vector";
    private const string Eager = "global::PolyComGen.Eager.EagerMath";
    private const double TwoOverSqrtPi = 1.1283791670955126;

    // Rows refer to rows declared after them (sigmoid to itself, abs to sign): the lambdas run once all exist.
    private static Expr C(Operation? op, params Expr[] args) => Expr.Call(op!, args);

    public static readonly Operation Add = new(
        "add", 2, a => [1, 1], v => v[0] + v[1],
        "({0} + {1})", "({0} + {1})", "({0} + {1})", Eager + ".Add({0}, {1})", "({0} + {1})", infix: "+");

    public static readonly Operation Subtract = new(
        "sub", 2, a => [1, -1], v => v[0] - v[1],
        "({0} - {1})", "({0} - {1})", "({0} - {1})", "({0} - {1})", "({0} - {1})", infix: "-");

    public static readonly Operation Multiply = new(
        "mul", 2, a => [a[1], a[0]], v => v[0] * v[1],
        "({0} * {1})", "({0} * {1})", "({0} * {1})", "({0} * {1})", "({0} * {1})", infix: "*");

    public static readonly Operation Divide = new(
        "div", 2, a => [1 / a[1], -a[0] / Expr.Pow(a[1], 2)], v => v[0] / v[1],
        "({0} / {1})", "({0} / {1})", "({0} / {1})", "({0} / {1})", "({0} / {1})", infix: "/");

    public static readonly Operation Negate = new(
        "neg", 1, a => [-1], v => -v[0],
        "(-{0})", "(-{0})", "(-{0})", "({0}).neg()", "(-{0})", infix: "-");

    public static readonly Operation Exp = new(
        "exp", 1, a => [C(Exp, a[0])], v => Math.Exp(v[0]),
        "{M}.Exp({0})", Cpu + ".Exp({0})", "expf({0})", "({0}).exp()", "torch.exp({0})");

    public static readonly Operation Log = new(
        "log", 1, a => [1 / a[0]], v => Math.Log(v[0]),
        "{M}.Log({0})", Cpu + ".Log({0})", "logf({0})", "({0}).log()", "torch.log({0})");

    public static readonly Operation Expm1 = new(
        "expm1", 1, a => [C(Exp, a[0])], v => ExpMinusOne(v[0]),
        Cpu + ".Expm1({0})", Cpu + ".Expm1({0})", "expm1f({0})", "({0}).expm1()", "torch.expm1({0})");

    public static readonly Operation Log1p = new(
        "log1p", 1, a => [1 / (1 + a[0])], v => v[0] > -1 && Math.Abs(v[0]) < 1e-4 ? v[0] - v[0] * v[0] / 2 + v[0] * v[0] * v[0] / 3 : Math.Log(1 + v[0]),
        Cpu + ".Log1p({0})", Cpu + ".Log1p({0})", "log1pf({0})", "({0}).log1p()", "torch.log1p({0})");

    public static readonly Operation Sqrt = new(
        "sqrt", 1, a => [0.5 / C(Sqrt, a[0])], v => Math.Sqrt(v[0]),
        "{M}.Sqrt({0})", Vec + ".SquareRoot({0})", "sqrtf({0})", "({0}).sqrt()", "torch.sqrt({0})");

    public static readonly Operation Tanh = new(
        "tanh", 1, a => [1 - Expr.Pow(C(Tanh, a[0]), 2)], v => Math.Tanh(v[0]),
        "{M}.Tanh({0})", Cpu + ".Tanh({0})", "tanhf({0})", "({0}).tanh()", "torch.tanh({0})");

    public static readonly Operation Sigmoid = new(
        "sigmoid", 1, a => [C(Sigmoid, a[0]) * (1 - C(Sigmoid, a[0]))], v => 1 / (1 + Math.Exp(-v[0])),
        Cpu + ".Sigmoid({0})", Cpu + ".Sigmoid({0})", "pcg_sigmoid({0})", "({0}).sigmoid()", "torch.sigmoid({0})");

    public static readonly Operation Softplus = new(
        "softplus", 1, a => [C(Sigmoid, a[0])], v => Math.Max(v[0], 0) + Math.Log(1 + Math.Exp(-Math.Abs(v[0]))),
        Cpu + ".Softplus({0})", Cpu + ".Softplus({0})", "pcg_softplus({0})", Eager + ".Softplus({0})", "polycom_softplus({0})");

    public static readonly Operation Erf = new(
        "erf", 1, a => [TwoOverSqrtPi * C(Exp, -Expr.Pow(a[0], 2))], null,
        Cpu + ".Erf({0})", Cpu + ".Erf({0})", "erff({0})", "({0}).erf()", "torch.erf({0})", vectorDouble: false);

    public static readonly Operation Abs = new(
        "abs", 1, a => [C(Sign, a[0])], v => Math.Abs(v[0]),
        "{M}.Abs({0})", Vec + ".Abs({0})", "fabsf({0})", "({0}).abs()", "torch.abs({0})");

    public static readonly Operation Relu = new(
        "relu", 1, a => [C(Step, a[0])], v => double.IsNaN(v[0]) ? v[0] : Math.Max(v[0], 0),
        Cpu + ".Relu({0})", Cpu + ".Relu({0})", "pcg_relu({0})", "({0}).relu()", "torch.relu({0})");

    public static readonly Operation Max = new(
        "max", 2, a => [C(Heaviside, a[0] - a[1]), C(Heaviside, a[1] - a[0])], v => double.IsNaN(v[0]) || double.IsNaN(v[1]) ? double.NaN : Math.Max(v[0], v[1]),
        Cpu + ".Max({0}, {1})", Cpu + ".Max({0}, {1})", "pcg_max({0}, {1})", "({0}).maximum({1})", "torch.maximum({0}, {1})");

    public static readonly Operation Min = new(
        "min", 2, a => [C(Heaviside, a[1] - a[0]), C(Heaviside, a[0] - a[1])], v => double.IsNaN(v[0]) || double.IsNaN(v[1]) ? double.NaN : Math.Min(v[0], v[1]),
        Cpu + ".Min({0}, {1})", Cpu + ".Min({0}, {1})", "pcg_min({0}, {1})", "({0}).minimum({1})", "torch.minimum({0}, {1})");

    /// <summary>
    /// 1 for u &gt; 0, else 0 (NaN included): relu's derivative, with torch's subgradient 0 at 0; in the language, a
    /// switch between branches, as torch.where(x &gt; 0, a, b) is step(x) * a + (1 - step(x)) * b.
    /// </summary>
    public static readonly Operation Step = new(
        "step", 1, a => [0], v => v[0] > 0 ? 1 : 0,
        Cpu + ".Step({0})", Cpu + ".Step({0})", "pcg_step({0})", Eager + ".Step({0})", "polycom_step({0})");

    /// <summary>-1, 0 or 1 (0 for NaN): abs's derivative, with torch's subgradient 0 at 0.</summary>
    public static readonly Operation Sign = new(
        "sign", 1, a => [0], v => v[0] > 0 ? 1 : v[0] < 0 ? -1 : 0,
        Cpu + ".Sign({0})", Cpu + ".Sign({0})", "pcg_sign({0})", Eager + ".Sign({0})", "polycom_sign({0})", internalOnly: true);

    /// <summary>1 for u &gt; 0, 1/2 at 0, else 0: the derivatives of max and min, splitting ties as torch.maximum does.</summary>
    public static readonly Operation Heaviside = new(
        "heaviside", 1, a => [0], v => v[0] > 0 ? 1 : v[0] == 0 ? 0.5 : 0,
        Cpu + ".Heaviside({0})", Cpu + ".Heaviside({0})", "pcg_heaviside({0})", Eager + ".Heaviside({0})", "polycom_heaviside({0})", internalOnly: true);

    /// <summary>
    /// The scale of a norm statistic (docs/math.md section 4): for a row's largest magnitude m and the statistic q
    /// computed unscaled, 1 when q is finite, else the power of two 2^-e with m * 2^-e in [1/2, 1) (1 when m is at
    /// most 1 or not finite). A row statistic, never differentiated: norm() is scale-invariant, so the scale drops out.
    /// </summary>
    public static readonly Operation Rescale = new(
        "rescale", 2, a => [0, 0], null,
        Cpu + ".Rescale({0}, {1})", null, "pcg_rescale({0}, {1})", Eager + ".Rescale({0}, {1})", "polycom_rescale({0}, {1})", internalOnly: true);

    /// <summary>a * b + c with one rounding: what the C# lowering contracts products and sums into.</summary>
    public static readonly Operation MultiplyAdd = new(
        "fma", 3, a => [a[1], a[0], 1], v => v[0] * v[1] + v[2],
        "{M}.FusedMultiplyAdd({0}, {1}, {2})", "global::System.Numerics.Vector.FusedMultiplyAdd({0}, {1}, {2})", "fmaf({0}, {1}, {2})",
        Eager + ".Add(({0} * {1}), {2})", "({0} * {1} + {2})", internalOnly: true);

    /// <summary>
    /// erf(a) given exp(-a^2): what the float CPU lowering turns erf into when the exponential is computed anyway,
    /// for erf's derivative, so that the two share it.
    /// </summary>
    public static readonly Operation ErfWithGaussian = new(
        "erf_gaussian", 2, a => [TwoOverSqrtPi * a[1], 0], null,
        Cpu + ".Erf({0}, {1})", Cpu + ".Erf({0}, {1})", "erff({0})", "({0}).erf()", "torch.erf({0})", vectorDouble: false, internalOnly: true);

    /// <summary>
    /// b where a &gt; 0, else c (NaN a included): what the float CPU lowering chooses between the two sides of 0 with,
    /// when it computes sigmoid, softplus and tanh(softplus) from one shared exp(-|a|).
    /// </summary>
    public static readonly Operation WherePositive = new(
        "where_positive", 3, a => [0, C(Step, a[0]), 1 - C(Step, a[0])], v => v[0] > 0 ? v[1] : v[2],
        Cpu + ".WherePositive({0}, {1}, {2})", Cpu + ".WherePositive({0}, {1}, {2})", "(({0}) > 0.0f ? ({1}) : ({2}))",
        "torch.where(({0}).gt(0), {1}, {2})", "torch.where(({0}) > 0, {1}, {2})", internalOnly: true);

    /// <summary>Every operation.</summary>
    public static readonly IReadOnlyList<Operation> All =
    [
        Add, Subtract, Multiply, Divide, Negate, Exp, Expm1, Log, Log1p, Sqrt, Tanh, Sigmoid, Softplus, Erf, Abs, Relu, Max, Min,
        Step, Sign, Heaviside, Rescale, MultiplyAdd, ErfWithGaussian, WherePositive,
    ];

    private static readonly Dictionary<string, Operation> ByNameMap = All.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The operation called <paramref name="name"/> (any case), or null.</summary>
    public static Operation? ByName(string name) => ByNameMap.TryGetValue(name, out Operation? op) ? op : null;
}
