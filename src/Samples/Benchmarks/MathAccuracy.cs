using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;
using PolyComGen.Backends.Cpu;

namespace PolyComGen.Samples.Benchmarks;

/// <summary>
/// The accuracy of the CPU kernels' float32 vector math (<see cref="PolyMath"/>) against float64: every
/// <c>stride</c>-th float32 bit pattern (so every binade, subnormals included, both signs) and the special values,
/// the error of each result in units in the last place of the float64 result rounded to float32.
/// </summary>
public static class MathAccuracy
{
    /// <summary>One function: its vector form in float32 and its float64 reference.</summary>
    public sealed record Function(string Name, Func<Vector<float>, Vector<float>> Vector, Func<double, double> Reference, double Goal);

    /// <summary>A function's measurement: samples, the worst error in ulp and where, and the special values that differ.</summary>
    public sealed record Result(string Function, long Samples, double WorstUlp, float WorstAt, double Goal, IReadOnlyList<string> SpecialMismatches)
    {
        public bool Passed => WorstUlp <= Goal && SpecialMismatches.Count == 0;
    }

    /// <summary>
    /// The functions the generated kernels call, with the accuracy goals of issue 22: 2 ulp for exp, log and
    /// sigmoid, 4 for expm1, log1p and softplus. tanh's is 2.5: its one-formula expm1(2|u|) / (expm1(2|u|) + 2) is
    /// within 2.3 ulp and costs three quarters of the instructions of the 1.84-ulp form with an odd polynomial below
    /// 0.55, and PolyTanh and GELUTanh are bound by tanh's arithmetic. erf's is 6: its one rational function without an exponential is
    /// within 3e-7 of erf everywhere, which is up to 5.4 ulp where erf is within 1e-5 of ±1 (|x| near 3.9); an erfc
    /// branch there would cost an exponential per element, and GELU's kernels take erf from the exponential they
    /// share with its derivative anyway (docs/math.md, section 6a).
    /// </summary>
    public static IReadOnlyList<Function> Functions { get; } =
    [
        new("exp", PolyMath.Exp, Math.Exp, 2),
        new("expm1", PolyMath.Expm1, PolyMath.Expm1, 4),
        new("log", PolyMath.Log, Math.Log, 2),
        new("log1p", PolyMath.Log1p, PolyMath.Log1p, 4),
        new("tanh", PolyMath.Tanh, Math.Tanh, 2.5),
        new("sigmoid", PolyMath.Sigmoid, PolyMath.Sigmoid, 2),
        new("softplus", PolyMath.Softplus, PolyMath.Softplus, 4),
        new("erf", PolyMath.Erf, PolyMath.Erf, 6),
    ];

    /// <summary>The special values every function is checked at, beside the sampled ones.</summary>
    public static IReadOnlyList<float> SpecialValues { get; } = new[]
    {
        0f, float.Epsilon, 1e-40f, 1.17549435E-38f, 1e-30f, 1e-10f, 1e-7f, 0.5f, 0.625f, 1f, 2f, 10f, 20f, 30f,
        87.3365f, 88.7228f, 88.7229f, 89f, 103.9f, 104f, 105f, 1e10f, 1e30f, float.MaxValue, float.PositiveInfinity,
    }.SelectMany(v => new[] { v, -v }).Append(float.NaN).Append(BitConverter.Int32BitsToSingle(unchecked((int)0x80000000))).ToArray();

    /// <summary>Measures <paramref name="function"/> at every <paramref name="stride"/>-th bit pattern and at the special values.</summary>
    public static Result Measure(Function function, long stride)
    {
        int lanes = Vector<float>.Count;
        var input = new float[lanes];
        double worst = 0;
        float worstAt = float.NaN;
        long samples = 0;
        var mismatches = new List<string>();
        foreach (float[] batch in Batches(stride, lanes))
        {
            Vector<float> output = function.Vector(new Vector<float>(batch));
            for (int i = 0; i < lanes; i++)
            {
                double error = Ulps(output[i], function.Reference(batch[i]));
                samples++;
                if (error > worst || double.IsNaN(error))
                {
                    worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                    worstAt = batch[i];
                }
            }
        }
        foreach (float value in SpecialValues)
        {
            Array.Fill(input, value);
            float actual = function.Vector(new Vector<float>(input))[0];
            double expected = function.Reference(value);
            float rounded = (float)expected;
            // NaN where the reference is NaN, the same infinity, within the goal elsewhere, and a zero of the same sign.
            bool same = float.IsNaN(rounded) ? float.IsNaN(actual)
                : float.IsInfinity(rounded) ? actual == rounded
                : Ulps(actual, expected) <= function.Goal && (rounded != 0 || float.IsNegative(actual) == float.IsNegative(rounded));
            if (!same)
            {
                mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{function.Name}({value:R}) = {actual:R}, not {rounded:R}"));
            }
        }
        return new Result(function.Name, samples, worst, worstAt, function.Goal, mismatches);
    }

    // Every stride-th bit pattern (NaNs left out: they are special values), in batches of a vector's lanes.
    private static IEnumerable<float[]> Batches(long stride, int lanes)
    {
        var batch = new float[lanes];
        int filled = 0;
        for (long bits = 0; bits < 1L << 32; bits += stride)
        {
            float value = BitConverter.Int32BitsToSingle(unchecked((int)(uint)bits));
            if (float.IsNaN(value))
            {
                continue;
            }
            batch[filled++] = value;
            if (filled == lanes)
            {
                yield return batch;
                batch = new float[lanes];
                filled = 0;
            }
        }
    }

    /// <summary>
    /// |actual - expected| in units in the last place of <paramref name="expected"/> rounded to float32 (2^-149 for
    /// subnormals and zero); 0 for equal infinities or two NaNs; infinity for a NaN or an infinity where the other is not.
    /// </summary>
    public static double Ulps(float actual, double expected)
    {
        float rounded = (float)expected;
        if (double.IsNaN(expected) || float.IsNaN(actual))
        {
            return double.IsNaN(expected) && float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }
        if (float.IsInfinity(rounded) || float.IsInfinity(actual))
        {
            return actual == rounded ? 0 : double.PositiveInfinity;
        }
        double magnitude = Math.Abs(rounded);
        double ulp = magnitude < 1.17549435E-38 ? Math.ScaleB(1, -149) : Math.ScaleB(1, Math.ILogB(magnitude) - 23);
        return Math.Abs(actual - expected) / ulp;
    }

    /// <summary>The Markdown table of <paramref name="results"/>.</summary>
    public static string Table(IReadOnlyList<Result> results)
    {
        var text = new StringBuilder("| function | samples | worst error (ulp) | at x = | goal (ulp) | special values |\n|---|---:|---:|---:|---:|---|\n");
        foreach (Result r in results)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.Function} | {r.Samples:N0} | {r.WorstUlp:F2} | {r.WorstAt:G9} | {r.Goal} | {(r.SpecialMismatches.Count == 0 ? "all as float64" : string.Join("; ", r.SpecialMismatches))} |\n");
        }
        return text.ToString();
    }
}
