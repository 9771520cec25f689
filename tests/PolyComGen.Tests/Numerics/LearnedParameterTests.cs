using System;
using System.Linq;
using PolyComGen.Backends.Cpu;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>
/// What learnable parameters add beyond the grid's parity, differences and second derivatives: the build-time fit,
/// groups' errors, and bitwise-repeatable parameter gradients for any thread count.
/// </summary>
public sealed class LearnedParameterTests
{
    [Fact]
    public void AFittedRationalMatchesItsTargetWithinTheErrorTheFitReports()
    {
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf("PadeGeluFit")];
        Assert.Equal("gelu(x)", activation.Spec.Fit);
        Assert.InRange(activation.Spec.FitError, 1e-6, 1e-2);
        var module = activation.CreateModule();
        module.to(float64);
        Tensor x = linspace(-3, 3, 2001, dtype: float64);
        Tensor gelu = 0.5 * x * (1 + special.erf(x / Math.Sqrt(2)));
        double error = (Harness.Forward(module, x) - gelu).abs().max().item<double>();
        // The module holds the fitted values in float32: their rounding moves the function by far less than 1e-5.
        Assert.True(error <= activation.Spec.FitError + 1e-5, $"largest error {error:E3} against the fit's {activation.Spec.FitError:E3}");
        Assert.True(error >= activation.Spec.FitError - 1e-5, $"largest error {error:E3} well under the fit's {activation.Spec.FitError:E3}: the values are not the fitted ones");
    }

    [Theory]
    [InlineData("GroupedPolyNorm", 1e-30)]
    [InlineData("GroupedNormTanhGamma", 1.0)]
    public void GroupedNormRowsOfEveryFloat32MagnitudeMatchFloat64(string name, double smallest)
    {
        // Rows up to 1e30: x^3 overflows float32 at 1e13, so the group loop must also run inside the pass that rescales
        // a row (docs/math.md section 4); float64 holds x^6 up to 1e180, so the oracle needs no scaling. Tiny rows only
        // for Norm: the CPU kernels' tanh has an absolute, not relative, error of about 1e-8 near 0 (ungrouped too).
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        var module = activation.CreateModule();
        var generator = new torch.Generator(41);
        Harness.Randomise(module, float32, generator);
        double[] magnitudes = new[] { 1e-30, 1e-12, 1e-3, 1, 1e3, 1e12, 1e20, 1e30 }.Where(m => m >= smallest).ToArray();
        long h = 17 * activation.Spec.Groups;
        Tensor rows = randn([magnitudes.Length, h], dtype: float64, generator: generator);
        rows /= rows.abs().amax([-1], keepdim: true);
        Tensor x = (rows * tensor(magnitudes, dtype: float64).reshape(-1, 1)).to(float32);
        Tensor upstream = randn([magnitudes.Length, h], generator: generator);

        Outputs fused = Harness.Fused(module, x, upstream), reference = Harness.Reference(activation.Spec, module, x, upstream);

        foreach (var (output, actual, expected) in new[] { ("y", fused.Y, reference.Y), ("dx", fused.Dx, reference.Dx) })
        {
            Tensor a = actual.to(float64), e = expected.to(float64);
            Tensor errors = (a - e).abs().amax([-1]) / e.abs().amax([-1]).clamp_min(double.Epsilon);
            Assert.False(a.isnan().any().item<bool>(), $"{name} {output}: NaN");
            Assert.True(errors.max().item<double>() < 1e-5, $"{name} {output}: row errors {string.Join(", ", errors.data<double>().ToArray().Select(v => v.ToString("E1")))}");
        }
        Compare.CloseSums(fused.Dparameters, reference.Dparameters, Harness.ParameterGradientScales(activation.Spec, module, x, upstream), 1e-5, $"{name} dparameters");
    }

    [Fact]
    public void ARowLengthNotDivisibleByTheGroupsIsAnErrorNamingBoth()
    {
        var module = SpecGrid.All[SpecGrid.IndexOf("KatGroupedRational")].CreateModule();
        var error = Assert.Throws<ArgumentException>(() => Harness.Forward(module, ones([3, 10])));
        Assert.Contains("4 groups", error.Message);
        Assert.Contains("10", error.Message);
    }

    [Theory]
    [InlineData("KatGroupedRational")]
    [InlineData("XIELU")]
    [InlineData("NormSwishBetaType2Order3")]
    [InlineData("GroupedSwishBetaType1Order2")]
    [InlineData("GroupedPolyNorm")]
    [InlineData("GroupedGatedNormSwishBetaType1Order2")]
    public void ParameterGradientsAreBitwiseTheSameForAnyThreadCount(string name)
    {
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        var module = activation.CreateModule();
        var generator = new torch.Generator(31);
        Harness.Randomise(module, float32, generator);
        long[] shape = Harness.Shape(activation.Spec, 300, 256);
        Tensor x = Harness.Input(activation.Spec, shape, generator).to(float32), upstream = randn(shape, generator: generator);
        Tensor? gate = Harness.Gate(activation.Spec, shape, generator)?.to(float32);
        int threads = CpuBackend.ThreadCount;
        try
        {
            CpuBackend.ThreadCount = 1;
            Outputs first = Harness.Fused(module, x, upstream, gate);
            foreach (int count in new[] { 2, 3, 8 })
            {
                CpuBackend.ThreadCount = count;
                Outputs other = Harness.Fused(module, x, upstream, gate);
                Compare.BitwiseEqual(other.Dparameters, first.Dparameters, $"{name} dparameters, {count} threads");
                Compare.BitwiseEqual(other.Dx, first.Dx, $"{name} dx, {count} threads");
            }
        }
        finally
        {
            CpuBackend.ThreadCount = threads;
        }
    }
}
