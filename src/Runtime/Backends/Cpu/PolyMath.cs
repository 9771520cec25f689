using System;
using System.Runtime.CompilerServices;

using PolyComGen.Contract;

namespace PolyComGen.Backends.Cpu;

/// <summary>
/// The functions generated CPU kernels call where <see cref="Math"/> has no equivalent or where the numerically
/// stable form matters: the C# spellings of the expression language's operations (docs/math.md, section 6).
/// </summary>
public static partial class PolyMath
{
    /// <summary>The logistic function, stable for large |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <inheritdoc cref="Sigmoid(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => x >= 0 ? 1 / (1 + MathF.Exp(-x)) : MathF.Exp(x) / (1 + MathF.Exp(x));

    /// <summary><c>log(1 + exp(x))</c>, computed as <c>max(x, 0) + log1p(exp(-|x|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <inheritdoc cref="Softplus(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => (float)Softplus((double)x);

    /// <summary>
    /// <c>(x &gt; 0) - (x &lt; 0)</c>: -1, 0 or 1, and 0 for NaN, as torch.sign on the CPU (unlike
    /// <see cref="Math.Sign(double)"/>, which throws on NaN). The derivative chosen for |x|.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sign(double x) => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);

    /// <inheritdoc cref="Sign(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);

    /// <summary>1 where x &gt; 0, else 0 (NaN included): the derivative chosen for max(x, 0), as torch.relu's backward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Step(double x) => x > 0 ? 1 : 0;

    /// <inheritdoc cref="Step(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float x) => x > 0 ? 1 : 0;

    /// <summary>1 where x &gt; 0, 1/2 where x is 0, else 0 (NaN included): the derivative chosen for max and min, which splits ties as torch.maximum does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Heaviside(double x) => x > 0 ? 1 : x == 0 ? 0.5 : 0;

    /// <inheritdoc cref="Heaviside(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Heaviside(float x) => x > 0 ? 1 : x == 0 ? 0.5f : 0;

    /// <summary><paramref name="positive"/> where a &gt; 0, else <paramref name="otherwise"/> (NaN a included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double WherePositive(double a, double positive, double otherwise) => a > 0 ? positive : otherwise;

    /// <inheritdoc cref="WherePositive(double, double, double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WherePositive(float a, float positive, float otherwise) => a > 0 ? positive : otherwise;

    /// <summary>max(x, 0), NaN kept, as torch.relu.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Relu(double x) => x > 0 || double.IsNaN(x) ? x : 0;

    /// <inheritdoc cref="Relu(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x > 0 || float.IsNaN(x) ? x : 0;

    /// <summary>The larger of a and b, NaN when either is NaN, as torch.maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Max(double a, double b) => Math.Max(a, b);

    /// <inheritdoc cref="Max(double, double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => MathF.Max(a, b);

    /// <summary>The smaller of a and b, NaN when either is NaN, as torch.minimum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Min(double a, double b) => Math.Min(a, b);

    /// <inheritdoc cref="Min(double, double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => MathF.Min(a, b);

    /// <summary>
    /// <c>exp(x) - 1</c>, accurate for small x: for |x| &lt; 1/2 Kahan's (u - 1) x / log(u) with u = exp(x), whose
    /// rounding errors cancel (within a few ulp of the exact value); beyond, u - 1, where nothing cancels. -1 where
    /// exp underflows, infinity where it overflows.
    /// </summary>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (!(Math.Abs(x) < 0.5))
        {
            return u - 1;
        }
        return u == 1 ? x : (u - 1) * x / Math.Log(u);
    }

    /// <inheritdoc cref="Expm1(double)"/>
    public static float Expm1(float x) => (float)Expm1((double)x);

    /// <summary><c>log(1 + x)</c>, accurate for small x.</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1);
    }

    /// <inheritdoc cref="Log1p(double)"/>
    public static float Log1p(float x) => (float)Log1p((double)x);

    /// <summary>
    /// For a row's largest magnitude m, the power of two 2^-e that brings m into [1/2, 1); 1 when m is at most 1 or
    /// not finite. norm() is scale-invariant, so its statistics can be taken on x times this (docs/math.md, section 4).
    /// </summary>
    public static double NormScale(double m) => !(m > 1) || double.IsInfinity(m) ? 1 : Math.ScaleB(1, -(Math.ILogB(m) + 1));

    /// <inheritdoc cref="NormScale(double)"/>
    public static float NormScale(float m) => !(m > 1) || float.IsInfinity(m) ? 1 : MathF.ScaleB(1, -(MathF.ILogB(m) + 1));

    /// <summary>
    /// The scale a norm statistic <paramref name="q"/>, computed unscaled, needs: 1 when it is at most
    /// <see cref="KernelContract.NormStatisticLimit"/>, else (and for NaN) <see cref="NormScale(double)"/> of the
    /// row's largest magnitude <paramref name="m"/>.
    /// </summary>
    public static double Rescale(double m, double q) => q <= KernelContract.NormStatisticLimit ? 1 : NormScale(m);

    /// <inheritdoc cref="Rescale(double, double)"/>
    public static float Rescale(float m, float q) => q <= (float)KernelContract.NormStatisticLimit ? 1 : NormScale(m);

    /// <summary>The error function, to about 1e-13 relative error (float64).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x) || x == 0)
        {
            return x; // erf(-0) = -0, as torch.erf
        }
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // Maclaurin series: erf x = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); converges fast for |x| < 2.5.
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 80; n++)
            {
                term *= -x2 / n;
                double next = term / (2 * n + 1);
                sum += next;
                if (Math.Abs(next) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        return ax >= 6 ? Math.CopySign(1, x) : Math.CopySign(1 - ErfcContinuedFraction(ax), x);
    }

    /// <summary>The error function in float32, to an absolute error of about 4e-7 (see <see cref="Erf(System.Numerics.Vector{float})"/>).</summary>
    public static float Erf(float x)
    {
        if (float.IsNaN(x))
        {
            return x;
        }
        float c = Math.Clamp(x, -4f, 4f), c2 = c * c;
        float p = MathF.FusedMultiplyAdd(c2, ErfAlpha13, ErfAlpha11);
        p = MathF.FusedMultiplyAdd(c2, p, ErfAlpha9);
        p = MathF.FusedMultiplyAdd(c2, p, ErfAlpha7);
        p = MathF.FusedMultiplyAdd(c2, p, ErfAlpha5);
        p = MathF.FusedMultiplyAdd(c2, p, ErfAlpha3);
        p = MathF.FusedMultiplyAdd(c2, p, ErfAlpha1);
        float q = MathF.FusedMultiplyAdd(c2, ErfBeta8, ErfBeta6);
        q = MathF.FusedMultiplyAdd(c2, q, ErfBeta4);
        q = MathF.FusedMultiplyAdd(c2, q, ErfBeta2);
        q = MathF.FusedMultiplyAdd(c2, q, ErfBeta0);
        return c * (p / q); // one rounding of a subnormal c's product
    }

    /// <summary>
    /// erf(a) from <paramref name="gaussian"/> = exp(-a^2), which the backward computes anyway for erf's derivative:
    /// sign(a) (1 - t P(t) exp(-a^2)) with t = 1 / (1 + 0.3275911 |a|) (Abramowitz and Stegun 7.1.26, absolute error
    /// 1.5e-7), one division and five multiply-adds beside the shared exponential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Erf(float a, float gaussian)
    {
        float t = 1 / MathF.FusedMultiplyAdd(AsP, MathF.Abs(a), 1);
        float poly = MathF.FusedMultiplyAdd(t, AsA5, AsA4);
        poly = MathF.FusedMultiplyAdd(t, poly, AsA3);
        poly = MathF.FusedMultiplyAdd(t, poly, AsA2);
        poly = MathF.FusedMultiplyAdd(t, poly, AsA1) * t;
        float magnitude = MathF.FusedMultiplyAdd(-poly, gaussian, 1);
        return float.IsNaN(a) ? a : a < 0 ? -magnitude : magnitude;
    }

    // Abramowitz and Stegun 7.1.26.
    private const float AsP = 0.3275911f, AsA1 = 0.254829592f, AsA2 = -0.284496736f, AsA3 = 1.421413741f, AsA4 = -1.453152027f, AsA5 = 1.061405429f;

    // The rational approximation of erf in float32 used by XLA and Eigen: x P(x^2) / Q(x^2) on [-4, 4].
    private const float ErfAlpha1 = -1.60960333262415e-02f, ErfAlpha3 = -2.95459980854025e-03f, ErfAlpha5 = -7.34990630326855e-04f,
        ErfAlpha7 = -5.69250639462346e-05f, ErfAlpha9 = -2.10102402082508e-06f, ErfAlpha11 = 2.77068142495902e-08f, ErfAlpha13 = -2.72614225801306e-10f;
    private const float ErfBeta0 = -1.42647390514189e-02f, ErfBeta2 = -7.37332916720468e-03f, ErfBeta4 = -1.68282697438203e-03f,
        ErfBeta6 = -2.13374055278905e-04f, ErfBeta8 = -1.45660718464996e-05f;

    // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))), for x >= 2.5, evaluated bottom-up.
    private static double ErfcContinuedFraction(double x)
    {
        double f = x;
        for (int k = 60; k >= 1; k--)
        {
            f = x + k / 2.0 / f;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
