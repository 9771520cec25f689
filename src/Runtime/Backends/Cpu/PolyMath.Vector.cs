using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PolyComGen.Backends.Cpu;

// Vector<T> forms of the expression language's operations, so that the generated CPU kernels stay vectorised
// for every expression (erf in float64 excepted).
public static partial class PolyMath
{
    /// <summary>
    /// tanh in float32 as one formula with no branch: with m = expm1(2|u|) = P q + (P - 1) from one exponential
    /// reduction (P = 2^n, q = exp(r) - 1, one rounding), tanh|u| = m / (m + 2), which cancels nowhere (m &gt;= 0, and
    /// near saturation the quotient's own rounding is all), then u's sign. |u| is clamped to 10: beyond 9.01 tanh
    /// rounds to 1 (clamping at 9 would give 1 - 2^-24 there, and 1 - tanh^2 a derivative 800 times too large).
    /// Within 2.3 ulp (expm1's own error carries through near |u| = 0.2); ±0 and NaN are kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> u)
    {
        Vector<float> m = Expm1Bounded(ClampNaNKept(Vector.Abs(u), 0f, 10f) * 2f);
        return Vector.CopySign(m / (m + new Vector<float>(2f)), u); // NaN: q, and so everything after it, is NaN
    }

    // min(max(u, low), high) with NaN lanes kept (the raw min/max return their second operand on NaN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ClampNaNKept(Vector<float> u, float low, float high)
    {
        if (Vector<float>.Count == 8 && Avx.IsSupported)
        {
            return Avx.Min(Vector256.Create(high), Avx.Max(Vector256.Create(low), u.AsVector256())).AsVector();
        }
        if (Vector<float>.Count == 16 && Avx512F.IsSupported)
        {
            return Avx512F.Min(Vector512.Create(high), Avx512F.Max(Vector512.Create(low), u.AsVector512())).AsVector();
        }
        return Vector.Min(Vector.Max(u, new Vector<float>(low)), new Vector<float>(high));
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
    /// The logistic function 1 / (1 + exp(-u)) with one exponential's reduction and one division: with -u = n ln 2 + r
    /// and q = exp(r) - 1, it is R / (1 + q + R) for R = 2^-n, the denominator summed so that the rounding of 1 + q is
    /// added back: exact but for about two roundings and the polynomial's error, on either side of 0. R is subnormal or zero far below 0, which gives
    /// subnormal results where they belong; 1 from u = 87 on; NaN kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> u)
    {
        Vector<float> n = Reduce(ClampNaNKept(-u, -87f, -ExpLowest), out Vector<float> r);
        Vector<float> q = ExpReducedMinusOne(r);
        Vector<float> power = PowerOfTwo(-n);
        Vector<float> sum = Vector<float>.One + q; // 1 + q + R with one rounding that matters: 1 + q's error is added back with R
        return power / (sum + ((q - (sum - Vector<float>.One)) + power));
    }

    // 2^n for integral n in [-150, 126] (or NaN), subnormal or zero below -126.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> PowerOfTwo(Vector<float> n)
    {
        if (Vector<float>.Count == 8 && Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.Scale(Vector256<float>.One, n.AsVector256()).AsVector();
        }
        if (Vector<float>.Count == 16 && Avx512F.IsSupported)
        {
            return Avx512F.Scale(Vector512<float>.One, n.AsVector512()).AsVector();
        }
        return TwoPowers(n, out Vector<float> second) * second;
    }

    // 2^n as two powers of two built in the exponent bits, 2^floor(n/2) and 2^(n - floor(n/2)), each a normal float for
    // n in [-252, 254]: their product, or a product with them, rounds once, subnormal results included.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> TwoPowers(Vector<float> n, out Vector<float> second)
    {
        Vector<int> k = Vector.ConvertToInt32(n);
        Vector<int> half = Vector.ShiftRightArithmetic(k, 1);
        second = Vector.AsVectorSingle(Vector.ShiftLeft(k - half + new Vector<int>(127), 23));
        return Vector.AsVectorSingle(Vector.ShiftLeft(half + new Vector<int>(127), 23));
    }

    /// <inheritdoc cref="Sigmoid(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Sigmoid(Vector<double> u)
    {
        Vector<double> e = Vector.Exp(-Vector.Abs(u));
        Vector<double> positive = Vector<double>.One / (Vector<double>.One + e);
        return KeepNaN(u, Vector.ConditionalSelect(Vector.LessThan(u, Vector<double>.Zero), e * positive, positive));
    }

    /// <summary>
    /// <c>max(u, 0) + log1p(exp(-|u|))</c> with <see cref="Exp(Vector{float})"/>, and log1p of that exponential, in
    /// [0, 1], with no division: 1 + e = 2^k (1 + f) where f is e itself (k = 0) or (e - 1) / 2 (k = 1, above
    /// sqrt(2) - 1), both exact but for e - 1's last bit, so that none of e's digits is lost to rounding 1 + e.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Softplus(Vector<float> u)
    {
        Vector<float> e = Exp(-Vector.Abs(u));
        Vector<int> above = Vector.GreaterThan(e, new Vector<float>(0.414213562f));
        Vector<float> f = Vector.ConditionalSelect(above, (e - Vector<float>.One) * 0.5f, e);
        return Vector.Max(u, Vector<float>.Zero) + LogOnePlus(f, Vector.ConditionalSelect(above, Vector<float>.One, Vector<float>.Zero));
    }

    /// <summary><c>max(u, 0) + log(1 + exp(-|u|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Softplus(Vector<double> u) =>
        Vector.Max(u, Vector<double>.Zero) + Vector.Log(Vector<double>.One + Vector.Exp(-Vector.Abs(u)));

    /// <summary>
    /// Lane-wise exp in float32: exp(x) = 2^n exp(r) with n = round(x / ln 2) by the 1.5 * 2^23 rounding trick and
    /// r = x - n ln 2 in two parts (Cody and Waite), exp(r) = 1 + r + r^2 P(r) with Cephes' minimax P of degree 5.
    /// The scaling by 2^n is one <c>vscalefps</c> where AVX-512 has it (it rounds overflow to infinity and
    /// underflow to the right subnormal or zero by itself), else the product of two powers built in the exponent
    /// bits and explicit selects at the ends. Beyond ln(float.MaxValue) infinity, below -104 zero, NaN stays NaN.
    /// Accuracy: docs/benchmarks.md ("Vector math accuracy").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> u)
    {
        Vector<float> n = Reduce(ClampNaNKept(u, ExpLowest, 89f), out Vector<float> r);
        Vector<float> p = ExpReduced(r);
        if (Vector<float>.Count == 8 && Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.Scale(p.AsVector256(), n.AsVector256()).AsVector();
        }
        if (Vector<float>.Count == 16 && Avx512F.IsSupported)
        {
            return Avx512F.Scale(p.AsVector512(), n.AsVector512()).AsVector();
        }
        return ScaleByPowerOfTwo(u, p, n);
    }

    // n = round(x / ln 2) and r = x - n ln 2 (ln 2 in two parts, so that n ln 2's high part is exact).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Reduce(Vector<float> x, out Vector<float> r)
    {
        var magic = new Vector<float>(12582912f);
        Vector<float> n = Vector.FusedMultiplyAdd(x, new Vector<float>(1.44269504f), magic) - magic;
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(-0.693145752f), x);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(-1.42860677e-6f), r);
        return n;
    }

    // exp(r) for |r| <= ln(2) / 2: 1 + r + r^2 P(r), Cephes' expf polynomial.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpReduced(Vector<float> r) => ExpReducedMinusOne(r) + Vector<float>.One;

    // r + r^2 P(r): exp(r) - 1 without forming exp(r).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpReducedMinusOne(Vector<float> r)
    {
        Vector<float> p = Vector.FusedMultiplyAdd(r, new Vector<float>(1.9875691500E-4f), new Vector<float>(1.3981999507E-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(8.3334519073E-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(4.1665795894E-2f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.6666665459E-1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(5.0000001201E-1f));
        return Vector.FusedMultiplyAdd(p, r * r, r);
    }

    // p 2^n without AVX-512: 2^n as the product of two powers built in the exponent bits, so that results down to the
    // smallest subnormal come out right, and explicit selects where exp(u) overflows or underflows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ScaleByPowerOfTwo(Vector<float> u, Vector<float> p, Vector<float> n)
    {
        Vector<float> result = p * TwoPowers(n, out Vector<float> second) * second;
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
        if (Vector<float>.Count == 8 && Avx512F.VL.IsSupported)
        {
            // vgetmantps (mantissa in [1, 2), NaN for a negative sign) and vgetexpps (subnormals as they are, -infinity
            // for ±0, +infinity for +infinity) leave only ±0 to fix: its sign bit makes the mantissa NaN.
            Vector256<float> v = u.AsVector256();
            Vector<float> result = LogOf(Avx512F.VL.GetMantissa(v, 0b1000).AsVector(), Avx512F.VL.GetExponent(v).AsVector());
            return Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.Zero), new Vector<float>(float.NegativeInfinity), result);
        }
        if (Vector<float>.Count == 16 && Avx512F.IsSupported)
        {
            Vector512<float> v = u.AsVector512();
            Vector<float> result = LogOf(Avx512F.GetMantissa(v, 0b1000).AsVector(), Avx512F.GetExponent(v).AsVector());
            return Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.Zero), new Vector<float>(float.NegativeInfinity), result);
        }
        return LogPortable(u);
    }

    // The mantissa and exponent fields by integer operations, subnormals scaled by 2^23 first, specials by selects.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> LogPortable(Vector<float> u)
    {
        Vector<int> subnormal = Vector.LessThan(u, new Vector<float>(1.17549435E-38f));
        Vector<float> x = Vector.ConditionalSelect(subnormal, u * 8388608f, u);
        Vector<int> bits = Vector.AsVectorInt32(x);
        Vector<int> e = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127) + (subnormal & new Vector<int>(-23));
        Vector<float> m = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        Vector<float> result = LogOf(m, Vector.ConvertToSingle(e));
        result = Vector.ConditionalSelect(Vector.Equals(u, new Vector<float>(float.PositiveInfinity)), u, result);
        result = Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.Zero), new Vector<float>(float.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), new Vector<float>(float.NaN), result);
        return KeepNaN(u, result);
    }

    // log(m 2^e) for m in [1, 2): m halved above sqrt(2) (e one more), then log(2^e (1 + f)) with f = m - 1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> LogOf(Vector<float> m, Vector<float> e)
    {
        Vector<int> above = Vector.GreaterThan(m, new Vector<float>(1.41421356f));
        m = Vector.ConditionalSelect(above, m * 0.5f, m);
        e += Vector.ConditionalSelect(above, Vector<float>.One, Vector<float>.Zero);
        return LogOnePlus(m - Vector<float>.One, e);
    }

    // log(2^e (1 + f)) for f in [sqrt(1/2) - 1, sqrt(2) - 1]: f - f^2/2 + f^3 P(f) (Cephes' logf), plus e ln 2 in two
    // parts of one sign (so that e = ±infinity gives ±infinity, not NaN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> LogOnePlus(Vector<float> f, Vector<float> e)
    {
        Vector<float> z = f * f;
        Vector<float> p = Vector.FusedMultiplyAdd(f, new Vector<float>(7.0376836292E-2f), new Vector<float>(-1.1514610310E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.1676998740E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.2420140846E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.4249322787E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.6668057665E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(2.0000714765E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-2.4999993993E-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(3.3333331174E-1f));
        Vector<float> y = Vector.FusedMultiplyAdd(z, new Vector<float>(-0.5f), p * f * z);
        y = Vector.FusedMultiplyAdd(e, new Vector<float>(1.42860677e-6f), y);
        return Vector.FusedMultiplyAdd(e, new Vector<float>(0.693145752f), f + y);
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

    /// <summary>
    /// Lane-wise <see cref="Expm1(double)"/> in float32: x = n ln 2 + r as for <see cref="Exp(Vector{float})"/>, then
    /// expm1(x) = 2^n (exp(r) - 1) + (2^n - 1) with exp(r) - 1 = r + r^2 P(r) never formed from exp(r), so that no
    /// digits cancel near 0. -1 below -18 (where it rounds to -1); above 88 (exp's overflow region) exp(x) - 1; ±0 kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Expm1(Vector<float> x)
    {
        Vector<float> result = Vector.CopySign(Expm1Bounded(ClampNaNKept(x, -18f, 88f)), x); // -0 stays -0
        return Vector.GreaterThanAny(x, new Vector<float>(88f))
            ? Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(88f)), Exp(x) - Vector<float>.One, result)
            : result;
    }

    // expm1(x) for x in [-18, 88] (or NaN): 2^n is a normal float, built in the exponent bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Expm1Bounded(Vector<float> x)
    {
        Vector<float> power = ExpParts(x, out Vector<float> q);
        return Vector.FusedMultiplyAdd(power, q, power - Vector<float>.One);
    }

    // exp(x) = P + P q for x in [-87, 88] (or NaN): P = 2^n a normal float built in the exponent bits, q = exp(r) - 1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpParts(Vector<float> x, out Vector<float> q)
    {
        Vector<float> n = Reduce(x, out Vector<float> r);
        q = ExpReducedMinusOne(r);
        return Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32(n) + new Vector<int>(127), 23));
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

    /// <summary>Lane-wise <see cref="WherePositive(double, double, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> WherePositive(Vector<float> a, Vector<float> positive, Vector<float> otherwise) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), positive, otherwise);

    /// <inheritdoc cref="WherePositive(Vector{float}, Vector{float}, Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> WherePositive(Vector<double> a, Vector<double> positive, Vector<double> otherwise) =>
        Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<double>.Zero), positive, otherwise);

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
