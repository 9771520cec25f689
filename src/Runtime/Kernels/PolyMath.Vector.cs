using System.Numerics;
using System.Runtime.CompilerServices;

namespace PolyComGen.Kernels;

// Vector<T> forms of the transcendental inner functions, built on Vector.Exp and Vector.Log, so that the
// generated CPU kernels stay vectorised for every inner function but GELU in float64.
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

    /// <summary>Lane-wise <see cref="Exp(Vector{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> u) => Vector.Exp(u);

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
    /// The error function to an absolute error of 1.5e-7 (Abramowitz and Stegun 7.1.26), the float32 form
    /// <see cref="Erf(float)"/> uses too. float64 has no vector form: its scalar series is accurate to 1e-13.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Erf(Vector<float> x)
    {
        Vector<float> a = Vector.Abs(x);
        Vector<float> t = Vector<float>.One / (Vector<float>.One + new Vector<float>(ErfP) * a);
        Vector<float> poly = t * (new Vector<float>(ErfA1) + t * (new Vector<float>(ErfA2) + t * (new Vector<float>(ErfA3) + t * (new Vector<float>(ErfA4) + t * new Vector<float>(ErfA5)))));
        Vector<float> magnitude = Vector<float>.One - poly * Vector.Exp(-(a * a));
        return KeepNaN(x, Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -magnitude, magnitude));
    }

    // NaN lanes of the input stay NaN; selects on comparisons would otherwise turn them into numbers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> KeepNaN<T>(Vector<T> input, Vector<T> result) => Vector.ConditionalSelect(Vector.IsNaN(input), input, result);
}
