using System;
using System.Linq;
using System.Numerics;
using PolyComGen.Samples.Benchmarks;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Kernels;

/// <summary>
/// The float32 vector math of the CPU kernels against float64 (the goals of docs/benchmarks.md's accuracy table, on
/// every 4096th bit pattern, 2^20 samples over every binade), and at the special values against eager TorchSharp:
/// the same NaN and infinity positions and the same signed zeros (or the subnormal float64 gives where torch flushes
/// a result to zero).
/// </summary>
public sealed class VectorMathAccuracyTests
{
    public static TheoryData<string> Functions => new(MathAccuracy.Functions.Select(f => f.Name));

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryBinadeIsWithinTheGoal(string name)
    {
        MathAccuracy.Function function = MathAccuracy.Functions.Single(f => f.Name == name);
        MathAccuracy.Result result = MathAccuracy.Measure(function, stride: 4096);
        Assert.True(result.Samples > 1_000_000, $"{name}: {result.Samples} samples");
        Assert.True(result.WorstUlp <= function.Goal, $"{name}: {result.WorstUlp:F2} ulp at {result.WorstAt:R}, goal {function.Goal}");
        Assert.Empty(result.SpecialMismatches);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void SpecialValuesAreTorchs(string name)
    {
        MathAccuracy.Function function = MathAccuracy.Functions.Single(f => f.Name == name);
        float[] values = [.. MathAccuracy.SpecialValues];
        Tensor input = tensor(values);
        Tensor eager = name switch
        {
            "exp" => input.exp(),
            "expm1" => input.expm1(),
            "log" => input.log(),
            "log1p" => input.log1p(),
            "tanh" => input.tanh(),
            "sigmoid" => input.sigmoid(),
            "softplus" => nn.functional.softplus(input),
            "erf" => input.erf(),
            _ => throw new ArgumentException(name),
        };
        float[] expected = eager.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            float actual = function.Vector(new Vector<float>(values[i]))[0];
            string what = $"{name}({values[i]:R}) = {actual:R}, torch {expected[i]:R}";
            Assert.True(float.IsNaN(actual) == float.IsNaN(expected[i]), what);
            Assert.True(float.IsInfinity(actual) == float.IsInfinity(expected[i]) && (!float.IsInfinity(actual) || actual == expected[i]), what);
            if (expected[i] == 0)
            {
                // Where torch's float32 math flushes a subnormal result to zero (sigmoid(-88.7), log1p(1e-45)), ours may
                // keep it: the subnormal float64 gives (and its sign). Zeros have torch's sign.
                double truth = function.Reference(values[i]);
                bool keptSubnormal = actual != 0 && float.IsSubnormal(actual) && Math.Abs(actual - truth) <= 1e-6 * Math.Abs(truth) + 2 * float.Epsilon;
                Assert.True(keptSubnormal || (actual == 0 && float.IsNegative(actual) == float.IsNegative(expected[i])), what);
            }
            else if (float.IsFinite(expected[i]))
            {
                // torch's own float32 math is within a few ulp of the truth too: the two agree to 1e-6 relative.
                Assert.True(Math.Abs(actual - expected[i]) <= 1e-6 * Math.Abs(expected[i]) + 1e-44, what);
            }
        }
    }
}
