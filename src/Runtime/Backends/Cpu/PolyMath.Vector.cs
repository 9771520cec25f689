using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PolyComGen.Backends.Cpu;

// Vector<T> forms of the expression language's operations, so that the generated CPU kernels stay vectorised
// for every expression (erf in float64 excepted).
public static partial class PolyMath
{
    /// <summary>tanh u = sign(u) (1 - e) / (1 + e) with e = exp(-2|u|): no overflow for any u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> u)
    {
        Vector<float> e = Vector.Exp(Vector.Abs(u) * -2f);
        Vector<float> magnitude = (Vector<float>.One - e) / (Vector<float>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), -magnitude, magnitude));
    }

    /// <inheritdoc cref="Tanh(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Tanh(Vector<double> u)
    {
        Vector<double> e = Vector.Exp(Vector.Abs(u) * -2d);
        Vector<double> magnitude = (Vector<double>.One - e) / (Vector<double>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<double>.Zero), -magnitude, magnitude));
    }

    /// <summary>The logistic function, as exp(-|u|) based forms on either side of 0: no overflow for any u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> u)
    {
        Vector<float> e = Vector.Exp(-Vector.Abs(u));
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

    /// <summary><c>max(u, 0) + log(1 + exp(-|u|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Softplus(Vector<float> u) =>
        Vector.Max(u, Vector<float>.Zero) + Vector.Log(Vector<float>.One + Vector.Exp(-Vector.Abs(u)));

    /// <inheritdoc cref="Softplus(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Softplus(Vector<double> u) =>
        Vector.Max(u, Vector<double>.Zero) + Vector.Log(Vector<double>.One + Vector.Exp(-Vector.Abs(u)));

    /// <summary>
    /// Lane-wise exp in float32, to 2.1e-7 relative error (about 2 ulp): exp(x) = 2^n exp(r) with n = round(x / ln 2)
    /// by the 1.5 * 2^23 rounding trick and r = x - n ln 2 in two parts (Cody and Waite), exp(r) by its degree-6 Taylor
    /// polynomial in fused multiply-adds, 2^n built in the exponent bits. Overflow gives infinity, results below the
    /// smallest normal number 0, NaN stays NaN. A third of the cost of Vector.Exp, which computes in float64.
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
        Vector<float> p = Vector.FusedMultiplyAdd(r, new Vector<float>(1f / 720), new Vector<float>(1f / 120));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 24));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 6));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(0.5f));
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<float>.One);
        Vector<float> power = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.AsVectorInt32(t) - Vector.AsVectorInt32(magic) + new Vector<int>(127), 23));
        Vector<float> result = p * power;
        result = Vector.ConditionalSelect(Vector.GreaterThan(u, new Vector<float>(ExpHighest)), new Vector<float>(float.PositiveInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(u, new Vector<float>(ExpLowest)), Vector<float>.Zero, result);
        return KeepNaN(u, result);
    }

    // Where float32's exp leaves the normal range: ln(2^128 (1 - 2^-24)) rounded down, and ln(2^-126).
    private const float ExpHighest = 88.3762589f, ExpLowest = -87.33654f;

    /// <inheritdoc cref="Exp(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> u) => Vector.Exp(u);

    /// <summary>Lane-wise natural logarithm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> u) => Vector.Log(u);

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
        return KeepNaN(x, c * p / q);
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
        Vector<float> small = Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), x, m * x / Vector.Log(u));
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

    /// <summary>Lane-wise <see cref="Log1p(double)"/>: log(u) x / (u - 1) with u = 1 + x, which keeps small x accurate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log1p(Vector<float> x)
    {
        Vector<float> u = Vector<float>.One + x;
        Vector<float> corrected = Vector.Log(u) * x / (u - Vector<float>.One);
        return Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), x,
            Vector.ConditionalSelect(Vector.Equals(u, new Vector<float>(float.PositiveInfinity)), u, corrected));
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
