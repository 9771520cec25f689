using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Backends;
using PolyComGen.Verification;
using PolyComGen.Tests.Cuda.Emulation;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>
/// Norm's statistics need x^(2r): computed as written, float32 overflows for |x| &gt; 2^(64/r) and the result is
/// finite but wrong. The kernels scale each row first (docs/math.md, section 4), so rows of any magnitude from
/// 1e-3 to 1e30 match the float64 formula, at every order, both types, on the CPU and on the emulated CUDA device.
/// </summary>
public sealed class NormScalingTests(ITestOutputHelper output)
{
    /// <summary>One row per magnitude: the largest |x| of row r is about Magnitudes[r].</summary>
    private static readonly double[] Magnitudes = [1e-3, 1, 1e3, 3e6, 1e12, 1e20, 1e30];

    private const int H = 67;

    public static IEnumerable<object[]> NormSpecs() =>
        SpecGrid.Indexed().Where(row => SpecGrid.All[(int)row[1]].Spec is { Inner: "Norm", Gated: false, Groups: 1 });

    [Theory]
    [MemberData(nameof(NormSpecs))]
    public void Float32RowsOfEveryMagnitudeMatchFloat64(string spec, int index)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator((ulong)(700 + index));
        var module = SpecGrid.All[index].CreateModule();
        Harness.Randomise(module, float32, generator);
        Tensor x = Rows(generator, Magnitudes).to(float32), upstream = randn([Magnitudes.Length, H], generator: generator);

        Outputs fused = Harness.Fused(module, x, upstream);
        Outputs expected = ScaledReference(module, x, upstream);

        Report(spec, "cpu float32", fused, expected);
        AssertRowsClose(fused.Y, expected.Y, 1e-5, $"{spec} y");
        AssertRowsClose(fused.Dx, expected.Dx, 1e-5, $"{spec} dx");
        Compare.CloseSums(fused.Dparameters[..^1], expected.Dparameters[..^1], Scales(module, x, upstream), 1e-5, $"{spec} dweight");
    }

    [Theory]
    [MemberData(nameof(NormSpecs))]
    public void WithoutScalingFloat32IsFiniteButWrong(string spec, int index)
    {
        // What the test above guards against: the paper's formula in float32, on rows where x^(2r) overflows but the
        // powers the output is made of do not (|x| = 2^(100/r) for Type 2, 2^100 for Type 1), is finite and far off.
        using var scope = NewDisposeScope();
        var module = SpecGrid.All[index].CreateModule();
        var (weight, bias) = Harness.Parameters(module);
        PolyComSpec polyCom = Harness.Spec(module);
        double magnitude = Math.Pow(2, polyCom.Type == 1 ? 100 : 100.0 / polyCom.Order);
        Tensor x = Rows(new torch.Generator(5), [magnitude]).to(float32);
        using (no_grad())
        {
            Tensor naive = Support.Reference.Forward(polyCom, x, null, weight, bias);
            Tensor expected = Support.Reference.NormForwardRowScaled(polyCom, x.to(float64), weight.to(float64), bias.to(float64));
            Assert.True(naive.isfinite().all().item<bool>(), $"{spec}: the unscaled float32 formula is not finite at {magnitude:E1}");
            Assert.True(Compare.RelativeError(naive, expected) > 1e-2, $"{spec}: the unscaled float32 formula is accurate at {magnitude:E1}");
        }
    }

    [SkippableTheory]
    [Trait("Category", "CudaEmulation")]
    [MemberData(nameof(NormSpecs))]
    public void EmulatedCudaRowsOfEveryMagnitudeMatchFloat64(string spec, int index)
    {
        EmulatedParity.RequireEmulator();
        using var scope = NewDisposeScope();
        foreach (ScalarType dtype in EmulatedParity.Dtypes)
        {
            var generator = new torch.Generator((ulong)(800 + index));
            var module = SpecGrid.All[index].CreateModule();
            Harness.Randomise(module, float64, generator);
            var activation = (IPolyComModule)module;
            var (weight64, bias64) = Harness.Parameters(module);
            using (no_grad())
            {
                weight64.copy_(weight64.to(dtype).to(float64));
                bias64.copy_(bias64.to(dtype).to(float64));
            }
            // float16 storage holds magnitudes up to 65504 only.
            double[] magnitudes = dtype == ScalarType.Float16 ? Magnitudes.Where(m => m < 6e4).ToArray() : Magnitudes;
            Tensor x = Rows(generator, magnitudes).to(dtype), upstream = randn([magnitudes.Length, H], generator: generator).to(dtype);
            Tensor parameters = activation.KernelParameters().detach().to(dtype);
            Tensor y = CudaEmulator.Forward(activation.Descriptor, x, null, parameters);
            PolyComGradients gradients = CudaEmulator.Backward(activation.Descriptor, x, null, upstream, parameters);
            int order = activation.Descriptor.Order;
            var actual = new Outputs(y, gradients.Dx, gradients.Dparameters);
            Outputs expected = ScaledReference(module, x, upstream);

            // Storage rounding bounds bfloat16 and float16; float32 storage must be as exact as the CPU kernels.
            double tolerance = dtype == ScalarType.Float32 ? 1e-5 : EmulatedParity.HalfTolerance;
            Report(spec, $"emulated {dtype}", actual, expected);
            AssertRowsClose(actual.Y, expected.Y, tolerance, $"{spec} {dtype} y");
            AssertRowsClose(actual.Dx, expected.Dx, tolerance, $"{spec} {dtype} dx");
            Compare.CloseSums(actual.Dparameters[..^1], expected.Dparameters[..^1], Scales(module, x, upstream), tolerance, $"{spec} {dtype} dweight");
        }
    }

    // Rows of standard normal values scaled so that each row's largest magnitude is about the given one.
    private static Tensor Rows(torch.Generator generator, double[] magnitudes)
    {
        Tensor values = randn([magnitudes.Length, H], dtype: float64, generator: generator);
        values /= values.abs().amax([-1], keepdim: true);
        return values * tensor(magnitudes, dtype: float64).reshape(-1, 1);
    }

    // The formula in float64 on the same (stored) inputs and parameters, through Norm's scale invariance so that
    // no power overflows even float64.
    private static Outputs ScaledReference(nn.Module module, Tensor x, Tensor upstream)
    {
        var (weight, bias) = Harness.Parameters(module);
        Tensor w = weight.detach().to(float64).requires_grad_(), b = bias.detach().to(float64).requires_grad_();
        Tensor input = x.detach().to(float64).requires_grad_();
        Tensor y = Support.Reference.NormForwardRowScaled(Harness.Spec(module), input, w, b);
        y.backward([upstream.to(float64)]);
        return new Outputs(y.detach(), input.grad!, cat([w.grad!, b.grad!], 0));
    }

    // The sum of the magnitudes of dweight's terms, |g| * |N-basis|, from the scaled formula's bases.
    private static Tensor Scales(nn.Module module, Tensor x, Tensor upstream)
    {
        using var noGrad = no_grad();
        PolyComSpec spec = Harness.Spec(module);
        int order = spec.Order;
        Tensor g = upstream.to(float64).abs(), u = x.to(float64);
        var scales = new double[order];
        for (int k = 1; k <= order; k++)
        {
            // The basis function k alone: weight e_k, bias 0.
            Tensor unit = zeros(order, dtype: float64);
            unit[k - 1] = 1.0;
            Tensor basis = Support.Reference.NormForwardRowScaled(spec, u, unit, zeros(1, dtype: float64));
            scales[k - 1] = (g * basis.abs()).sum().item<double>();
        }
        return tensor(scales, dtype: float64);
    }

    // Each row's largest error over that row's largest expected magnitude.
    private static void AssertRowsClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Tensor errors = RowErrors(actual, expected);
        Assert.False(actual.isnan().any().item<bool>(), $"{what}: NaN");
        double worst = errors.max().item<double>();
        Assert.True(worst < tolerance, $"{what}: row errors {string.Join(", ", errors.data<double>().ToArray().Select(e => e.ToString("E1")))} exceed {tolerance:E0}");
    }

    private static Tensor RowErrors(Tensor actual, Tensor expected)
    {
        Tensor a = actual.detach().to(float64), e = expected.detach().to(float64);
        return (a - e).abs().amax([-1]) / e.abs().amax([-1]).clamp_min(double.Epsilon);
    }

    private void Report(string spec, string backend, Outputs actual, Outputs expected) =>
        output.WriteLine($"{spec} {backend}: worst row error y {RowErrors(actual.Y, expected.Y).max().item<double>():E2}, dx {RowErrors(actual.Dx, expected.Dx).max().item<double>():E2}");
}
