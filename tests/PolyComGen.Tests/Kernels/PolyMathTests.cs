using System;
using System.Numerics;
using PolyComGen.Backends.Cpu;
using Xunit;

namespace PolyComGen.Tests.Kernels;

/// <summary>The CPU kernels' math helpers against independent float64 formulas.</summary>
public sealed class PolyMathTests
{
    // exp(x) - 1 by its Taylor series for |x| <= 1 (25 terms: the rest is below 1e-25), else by exp, where the
    // subtraction costs nothing since exp(x) - 1 is then at least 0.63 in magnitude.
    private static double Expm1Reference(double x)
    {
        if (Math.Abs(x) > 1)
        {
            return Math.Exp(x) - 1;
        }
        double term = x, sum = x;
        for (int n = 2; n <= 25; n++)
        {
            term *= x / n;
            sum += term;
        }
        return sum;
    }

    private static readonly double[] Points =
    [
        0, 1e-30, -1e-30, 1e-12, -3e-9, 1e-7, -2.5e-6, 1e-5, 3e-4, -7e-4, 0.01, -0.03, 0.3, -0.7, 1.5, -3, 10, -20, 50, -87, 88, -100,
    ];

    [Fact]
    public void Expm1KeepsSmallArgumentsAccurateInEveryPrecisionAndForm()
    {
        foreach (double x in Points)
        {
            double expected = Expm1Reference(x);
            Assert.True(Math.Abs(PolyMath.Expm1(x) - expected) <= 1e-15 * Math.Abs(expected), $"double expm1({x:R}) = {PolyMath.Expm1(x):R}, expected {expected:R}");
            float single = (float)x, expectedSingle = (float)Expm1Reference(single);
            AssertClose(PolyMath.Expm1(single), expectedSingle, $"float expm1({single:R})");
            AssertClose(PolyMath.Expm1(new Vector<float>(single))[0], expectedSingle, $"Vector<float> expm1({single:R})");
            double vector = PolyMath.Expm1(new Vector<double>(x))[0];
            Assert.True(Math.Abs(vector - expected) <= 1e-15 * Math.Abs(expected), $"Vector<double> expm1({x:R}) = {vector:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Expm1HasTheLimitsOfExp()
    {
        Assert.Equal(-1.0, PolyMath.Expm1(-800.0));
        Assert.Equal(double.PositiveInfinity, PolyMath.Expm1(800.0));
        Assert.True(double.IsNaN(PolyMath.Expm1(double.NaN)));
        Assert.Equal(-1f, PolyMath.Expm1(new Vector<float>(-200f))[0]);
        Assert.Equal(float.PositiveInfinity, PolyMath.Expm1(new Vector<float>(200f))[0]);
        Assert.True(float.IsNaN(PolyMath.Expm1(new Vector<float>(float.NaN))[0]));
        Assert.True(double.IsNegative(PolyMath.Expm1(-0.0)), "expm1(-0) is -0, as torch.expm1 gives");
    }

    // Within 3 units in the last place of float32.
    private static void AssertClose(float actual, float expected, string what)
    {
        float ulp = MathF.Max(MathF.BitIncrement(MathF.Abs(expected)) - MathF.Abs(expected), float.Epsilon);
        Assert.True(MathF.Abs(actual - expected) <= 3 * ulp || actual == expected, $"{what} = {actual:R}, expected {expected:R} ({MathF.Abs(actual - expected) / ulp:F1} ulp)");
    }
}
