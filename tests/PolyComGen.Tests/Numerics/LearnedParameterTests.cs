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
