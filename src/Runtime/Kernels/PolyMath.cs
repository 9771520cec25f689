using System;
using System.Runtime.CompilerServices;

namespace PolyComGen.Kernels;

/// <summary>
/// Scalar functions that generated CPU kernels call where <see cref="Math"/> has no equivalent or where
/// the numerically stable form matters (sigmoid and softplus far from zero, sign of NaN).
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
    public static double Softplus(double x) => Math.Max(x, 0) + LogOnePlus(Math.Exp(-Math.Abs(x)));

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

    /// <summary><c>log(1 + x)</c>, accurate for small x.</summary>
    public static double LogOnePlus(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>The error function, to about 1e-13 relative error (float64).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
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

    /// <summary>The error function in float32, to an absolute error of 1.5e-7 (Abramowitz and Stegun 7.1.26).</summary>
    public static float Erf(float x)
    {
        float a = MathF.Abs(x);
        float t = 1 / (1 + ErfP * a);
        float poly = t * (ErfA1 + t * (ErfA2 + t * (ErfA3 + t * (ErfA4 + t * ErfA5))));
        float magnitude = 1 - poly * MathF.Exp(-a * a);
        return float.IsNaN(x) ? x : x < 0 ? -magnitude : magnitude;
    }

    private const float ErfP = 0.3275911f, ErfA1 = 0.254829592f, ErfA2 = -0.284496736f, ErfA3 = 1.421413741f, ErfA4 = -1.453152027f, ErfA5 = 1.061405429f;

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
