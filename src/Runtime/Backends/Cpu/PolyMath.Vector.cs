using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PolyComGen.Backends.Cpu;

// Vector<T> forms of the expression language's operations, so that the generated CPU kernels stay vectorised
// for every expression (erf in float64 excepted).
public static partial class PolyMath
{
    /// <summary>
    /// tanh in float32 (Cephes' tanhf): u + u^3 P(u^2) of degree 4 for |u| &lt; 0.625, else sign(u) (1 - 2 / (exp(2|u|) + 1))
    /// with <see cref="Exp(Vector{float})"/>; ±1 beyond the overflow of exp, ±0 kept, NaN kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> u)
    {
        Vector<float> a = Vector.Abs(u);
        Vector<float> s = Exp(a + a);
        Vector<float> large = Vector<float>.One - new Vector<float>(2f) / (s + Vector<float>.One);
        large = Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), -large, large);
        Vector<float> z = u * u;
        Vector<float> p = Vector.FusedMultiplyAdd(z, new Vector<float>(-5.70498872745E-3f), new Vector<float>(2.06390887954E-2f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(-5.37397155531E-2f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1.33314422036E-1f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(-3.33332819422E-1f));
        Vector<float> small = Vector.FusedMultiplyAdd(p * z, u, u);
        Vector<float> result = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(0.625f)), small, large);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.Zero), u, result));
    }

    /// <summary>tanh u = sign(u) (1 - e) / (1 + e) with e = exp(-2|u|): no overflow for any u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Tanh(Vector<double> u)
    {
        Vector<double> e = Vector.Exp(Vector.Abs(u) * -2d);
        Vector<double> magnitude = (Vector<double>.One - e) / (Vector<double>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<double>.Zero), -magnitude, magnitude));
    }

    /// <summary>
    /// The logistic function, as exp(-|u|) based forms on either side of 0 (1 / (1 + e), and e / (1 + e) below 0) with
    /// <see cref="Exp(Vector{float})"/>: no overflow for any u, subnormal results where they belong.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> u)
    {
        Vector<float> e = Exp(-Vector.Abs(u));
        Vector<float> positive = Vector<float>.One / (Vector<float>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), e * positive, positive));
    }

    /// <inheritdoc cref="Sigmoid(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Sigmoid(Vector<double> u)
    {
        Vector<double> e = Vector.Exp(-Vector.Abs(u));
        Vector<double> positive = Vector<double>.One / (Vector<double>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<double>.Zero), e * positive, positive));
    }

    /// <summary><c>max(u, 0) + log1p(exp(-|u|))</c> with <see cref="Exp(Vector{float})"/> and <see cref="Log1p(Vector{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Softplus(Vector<float> u) =>
        KeepNaN(u, Vector.Max(u, Vector<float>.Zero) + Log1p(Exp(-Vector.Abs(u))));

    /// <summary><c>max(u, 0) + log(1 + exp(-|u|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Softplus(Vector<double> u) =>
        Vector.Max(u, Vector<double>.Zero) + Vector.Log(Vector<double>.One + Vector.Exp(-Vector.Abs(u)));

    /// <summary>
    /// Lane-wise exp in float32: exp(x) = 2^n exp(r) with n = round(x / ln 2) by the 1.5 * 2^23 rounding trick and
    /// r = x - n ln 2 in two parts (Cody and Waite), exp(r) = 1 + r + r^2 P(r) with Cephes' minimax P of degree 5, and
    /// 2^n as the product of two powers built in the exponent bits (so that results down to the smallest subnormal
    /// come out as they should). Beyond ln(float.MaxValue) infinity, below -104 zero, NaN stays NaN. Accuracy:
    /// docs/benchmarks.md ("Vector math accuracy").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> u)
    {
        var magic = new Vector<float>(12582912f);
        Vector<float> x = Vector.MinNative(Vector.MaxNative(u, new Vector<float>(ExpLowest)), new Vector<float>(ExpHighest));
        Vector<float> t = Vector.FusedMultiplyAdd(x, new Vector<float>(1.44269504f), magic);
        Vector<float> n = t - magic;
        Vector<float> r = Vector.FusedMultiplyAdd(n, new Vector<float>(-0.693145752f), x);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(-1.42860677e-6f), r);
        Vector<float> p = Vector.FusedMultiplyAdd(r, new Vector<float>(1.9875691500E-4f), new Vector<float>(1.3981999507E-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(8.3334519073E-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(4.1665795894E-2f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.6666665459E-1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(5.0000001201E-1f));
        p = Vector.FusedMultiplyAdd(p, r * r, r) + Vector<float>.One;
        Vector<int> k = Vector.AsVectorInt32(t) - Vector.AsVectorInt32(magic);
        Vector<int> half = Vector.ShiftRightArithmetic(k, 1);
        Vector<float> first = Vector.AsVectorSingle(Vector.ShiftLeft(half + new Vector<int>(127), 23));
        Vector<float> second = Vector.AsVectorSingle(Vector.ShiftLeft(k - half + new Vector<int>(127), 23));
        Vector<float> result = p * first * second;
        result = Vector.ConditionalSelect(Vector.GreaterThan(u, new Vector<float>(ExpHighest)), new Vector<float>(float.PositiveInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThanOrEqual(u, new Vector<float>(ExpLowest)), Vector<float>.Zero, result);
        return KeepNaN(u, result);
    }

    // ln(float.MaxValue) rounded down, and where exp rounds to 0 (below ln(2^-150)).
    private const float ExpHighest = 88.7228394f, ExpLowest = -104f;

    /// <inheritdoc cref="Exp(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> u) => Vector.Exp(u);

    /// <summary>
    /// Lane-wise natural logarithm in float32 (Cephes' logf): u = m 2^e with m in [sqrt(1/2), sqrt(2)) (subnormals
    /// scaled by 2^23 first), log(m) = f - f^2/2 + f^3 P(f) with f = m - 1, P of degree 8, plus e ln 2 in two parts.
    /// log(±0) = -infinity, log(u &lt; 0) = NaN, log(+infinity) = +infinity, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> u)
    {
        Vector<int> subnormal = Vector.LessThan(u, new Vector<float>(1.17549435E-38f));
        Vector<float> x = Vector.ConditionalSelect(subnormal, u * 8388608f, u);
        Vector<int> bits = Vector.AsVectorInt32(x);
        Vector<int> e = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127) + (subnormal & new Vector<int>(-23));
        Vector<float> m = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        Vector<int> above = Vector.GreaterThan(m, new Vector<float>(1.41421356f));
        m = Vector.ConditionalSelect(above, m * 0.5f, m);
        e -= above; // a true lane is -1
        Vector<float> f = m - Vector<float>.One;
        Vector<float> z = f * f;
        Vector<float> p = Vector.FusedMultiplyAdd(f, new Vector<float>(7.0376836292E-2f), new Vector<float>(-1.1514610310E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.1676998740E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.2420140846E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.4249322787E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.6668057665E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(2.0000714765E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-2.4999993993E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(3.3333331174E-1f));
        Vector<float> ef = Vector.ConvertToSingle(e);
        Vector<float> y = p * f * z;
        y = Vector.FusedMultiplyAdd(ef, new Vector<float>(-2.12194440e-4f), y);
        y = Vector.FusedMultiplyAdd(z, new Vector<float>(-0.5f), y);
        Vector<float> result = Vector.FusedMultiplyAdd(ef, new Vector<float>(0.693359375f), f + y);
        result = Vector.ConditionalSelect(Vector.Equals(u, new Vector<float>(float.PositiveInfinity)), u, result);
        result = Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.Zero), new Vector<float>(float.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), new Vector<float>(float.NaN), result);
        return KeepNaN(u, result);
    }

    /// <inheritdoc cref="Log(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> u) => Vector.Log(u);

    /// <summary>
    /// The error function in float32, to an absolute error of about 4e-7: x P(x^2) / Q(x^2) on x clamped to [-4, 4]
    /// (erf is ±1 in float32 beyond), with the coefficients of XLA's and Eigen's float erf. No exponential, so it costs a
    /// few multiply-adds and one division. float64 has no vector form: its scalar series is accurate to 1e-13.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Erf(Vector<float> x)
    {
        Vector<float> c = Vector.MinNative(Vector.MaxNative(x, new Vector<float>(-4f)), new Vector<float>(4f));
        Vector<float> c2 = c * c;
        Vector<float> p = Vector.FusedMultiplyAdd(c2, new Vector<float>(ErfAlpha13), new Vector<float>(ErfAlpha11));
        p = Vector.FusedMultiplyAdd(c2, p, new Vector<float>(ErfAlpha9));
        p = Vector.FusedMultiplyAdd(c2, p, new Vector<float>(ErfAlpha7));
        p = Vector.FusedMultiplyAdd(c2, p, new Vector<float>(ErfAlpha5));
        p = Vector.FusedMultiplyAdd(c2, p, new Vector<float>(ErfAlpha3));
        p = Vector.FusedMultiplyAdd(c2, p, new Vector<float>(ErfAlpha1));
        Vector<float> q = Vector.FusedMultiplyAdd(c2, new Vector<float>(ErfBeta8), new Vector<float>(ErfBeta6));
        q = Vector.FusedMultiplyAdd(c2, q, new Vector<float>(ErfBeta4));
        q = Vector.FusedMultiplyAdd(c2, q, new Vector<float>(ErfBeta2));
        q = Vector.FusedMultiplyAdd(c2, q, new Vector<float>(ErfBeta0));
        return KeepNaN(x, c * (p / q)); // one rounding of a subnormal c's product
    }

    /// <summary>Lane-wise <see cref="Erf(float, float)"/>: erf(a) from the exponential exp(-a^2) its derivative needs anyway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Erf(Vector<float> a, Vector<float> gaussian)
    {
        Vector<float> t = Vector<float>.One / Vector.FusedMultiplyAdd(new Vector<float>(AsP), Vector.Abs(a), Vector<float>.One);
        Vector<float> poly = Vector.FusedMultiplyAdd(t, new Vector<float>(AsA5), new Vector<float>(AsA4));
        poly = Vector.FusedMultiplyAdd(t, poly, new Vector<float>(AsA3));
        poly = Vector.FusedMultiplyAdd(t, poly, new Vector<float>(AsA2));
        poly = Vector.FusedMultiplyAdd(t, poly, new Vector<float>(AsA1)) * t;
        Vector<float> magnitude = Vector.FusedMultiplyAdd(-poly, gaussian, Vector<float>.One);
        return KeepNaN(a, Vector.ConditionalSelect(Vector.LessThan(a, Vector<float>.Zero), -magnitude, magnitude));
    }

    /// <summary>Lane-wise <see cref="Expm1(double)"/>: (u - 1) x / log(u) with u = exp(x) for |x| &lt; 1/2, which keeps small x accurate; u - 1 beyond.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Expm1(Vector<float> x)
    {
        Vector<float> u = Exp(x);
        Vector<float> m = u - Vector<float>.One;
        Vector<float> small = Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), x, m * x / Log(u));
        return Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(x), new Vector<float>(0.5f)), small, m);
    }

    /// <inheritdoc cref="Expm1(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Expm1(Vector<double> x)
    {
        Vector<double> u = Vector.Exp(x);
        Vector<double> m = u - Vector<double>.One;
        Vector<double> small = Vector.ConditionalSelect(Vector.Equals(u, Vector<double>.One), x, m * x / Vector.Log(u));
        return Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(x), new Vector<double>(0.5)), small, m);
    }

    /// <summary>
    /// Lane-wise <see cref="Log1p(double)"/> in float32: log(u) - ((u - 1) - x) / u with u = 1 + x rounded, which
    /// corrects the rounding of u to first order (exactly x for the x whose u rounds to 1); -infinity at -1, NaN below.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log1p(Vector<float> x)
    {
        Vector<float> u = Vector<float>.One + x;
        Vector<float> log = Log(u);
        Vector<float> corrected = log - ((u - Vector<float>.One) - x) / u;
        Vector<int> edge = Vector.Equals(u, Vector<float>.Zero) | Vector.Equals(u, new Vector<float>(float.PositiveInfinity)) | Vector.LessThan(u, Vector<float>.Zero);
        return KeepNaN(x, Vector.ConditionalSelect(Vector.Equals(x, Vector<float>.Zero), x, Vector.ConditionalSelect(edge, log, corrected)));
    }

    /// <inheritdoc cref="Log1p(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log1p(Vector<double> x)
    {
        Vector<double> u = Vector<double>.One + x;
        Vector<double> corrected = Vector.Log(u) * x / (u - Vector<double>.One);
        return Vector.ConditionalSelect(Vector.Equals(u, Vector<double>.One), x,
            Vector.ConditionalSelect(Vector.Equals(u, new Vector<double>(double.PositiveInfinity)), u, corrected));
    }

    /// <summary>Lane-wise <see cref="Relu(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Relu(Vector<float> x) => KeepNaN(x, Vector.MaxNative(x, Vector<float>.Zero));

    /// <inheritdoc cref="Relu(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Relu(Vector<double> x) => KeepNaN(x, Vector.MaxNative(x, Vector<double>.Zero));

    /// <summary>Lane-wise <see cref="Max(double, double)"/>: NaN when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> a, Vector<float> b) => KeepNaN(b, KeepNaN(a, Vector.Max(a, b)));

    /// <inheritdoc cref="Max(Vector{float}, Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Max(Vector<double> a, Vector<double> b) => KeepNaN(b, KeepNaN(a, Vector.Max(a, b)));

    /// <summary>Lane-wise <see cref="Min(double, double)"/>: NaN when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> a, Vector<float> b) => KeepNaN(b, KeepNaN(a, Vector.Min(a, b)));

    /// <inheritdoc cref="Min(Vector{float}, Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Min(Vector<double> a, Vector<double> b) => KeepNaN(b, KeepNaN(a, Vector.Min(a, b)));

    /// <summary>Lane-wise <see cref="Step(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Step(Vector<float> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);

    /// <inheritdoc cref="Step(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Step(Vector<double> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<double>.Zero), Vector<double>.One, Vector<double>.Zero);

    /// <summary>Lane-wise <see cref="Sign(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sign(Vector<float> x) => Step(x) - Step(-x);

    /// <inheritdoc cref="Sign(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Sign(Vector<double> x) => Step(x) - Step(-x);

    /// <summary>Lane-wise <see cref="Heaviside(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Heaviside(Vector<float> x) =>
        Step(x) + Vector.ConditionalSelect(Vector.Equals(x, Vector<float>.Zero), new Vector<float>(0.5f), Vector<float>.Zero);

    /// <inheritdoc cref="Heaviside(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Heaviside(Vector<double> x) =>
        Step(x) + Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), new Vector<double>(0.5), Vector<double>.Zero);

    /// <summary>The largest lane (NaN when a lane is NaN): the horizontal step of a max reduction.</summary>
    public static float MaxAcross(Vector<float> x)
    {
        float m = x[0];
        for (int i = 1; i < Vector<float>.Count; i++)
        {
            m = MathF.Max(m, x[i]);
        }
        return m;
    }

    /// <inheritdoc cref="MaxAcross(Vector{float})"/>
    public static double MaxAcross(Vector<double> x)
    {
        double m = x[0];
        for (int i = 1; i < Vector<double>.Count; i++)
        {
            m = Math.Max(m, x[i]);
        }
        return m;
    }

    // NaN lanes of the input stay NaN; selects on comparisons would otherwise turn them into numbers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> KeepNaN<T>(Vector<T> input, Vector<T> result) => Vector.ConditionalSelect(Vector.IsNaN(input), input, result);
}
