using System;
using System.Linq;
using PolyComGen.Backends.Cuda;
using PolyComGen.Backends.Cpu;
using PolyComGen.Contract;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>One shape of an emulated-device check; <see cref="Offset"/> makes x and dy views that start one element in, so not 16-byte aligned.</summary>
public sealed record EmulatedShape(long[] Dims, bool Offset = false)
{
    public override string ToString() => $"[{string.Join(", ", Dims)}]{(Offset ? " offset" : "")}";
}

/// <summary>
/// Runs a spec's CUDA kernels on the emulated device and compares them with the generated CPU kernels in
/// float64 on the same (storage-rounded) inputs and parameters. Error measures: for y and dx, max |actual -
/// expected| over max |expected|; for each entry of dweight and dbias, which are sums over every element,
/// |actual - expected| over the sum of the summands' magnitudes (sum |g * dy/dw_k| and sum |g|), the scale of a
/// sum's rounding error, since a sum that cancels to near zero has no relative accuracy in any precision. That
/// scale is at least the storage dtype's smallest normal number: below it float16 keeps an absolute step only.
/// </summary>
public static class EmulatedParity
{
    public const double Float32Tolerance = 1e-5, HalfTolerance = 1e-2;

    /// <summary>The shapes every spec runs: odd H, more rows than the emulated grid's 16 blocks, a misaligned view.</summary>
    public static readonly EmulatedShape[] Small = [new([3, 7]), new([40, 67]), new([2, 130], Offset: true)];

    /// <summary>The snapshot specs' shapes: also H = 1, H off the 16-byte chunk, H = 65536 in one row, three dimensions.</summary>
    public static readonly EmulatedShape[] Full =
    [
        new([1, 1]), new([3, 7]), new([5, 1031]), new([1, 65536]), new([40, 67]), new([2, 3, 130]), new([6, 300], Offset: true), new([1, 4099], Offset: true),
    ];

    public static readonly ScalarType[] Dtypes = [ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16];

    /// <summary>Skips without a host compiler, except under CI, which must run the emulated device.</summary>
    public static void RequireEmulator()
    {
        if (CudaEmulator.IsAvailable(out string reason))
        {
            return;
        }
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"CI must run every CUDA kernel on the emulated device, but {reason}. .ci/run installs g++.");
        }
        Skip.If(true, reason);
    }

    /// <summary>The largest relative error of y, dx, dweight, dbias (and dgate), each against the float64 CPU kernels.</summary>
    public static (double Y, double Dx, double Dweight, double Dbias, double Dgate) Errors(
        nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, CudaEmulationOptions? options = null, KernelDescriptor? kernels = null)
    {
        var (expected, actual, scales) = Run(module, dtype, shape, seed, options, kernels);
        (expected, actual) = WithoutOverflows(expected, actual, dtype);
        return (Compare.RelativeError(actual.Y, expected.Y), Compare.RelativeError(actual.Dx, expected.Dx),
                Compare.SumError(actual.Dweight, expected.Dweight, scales.Dweight, SmallestNormal(dtype)), Compare.SumError(actual.Dbias, expected.Dbias, scales.Dbias, SmallestNormal(dtype)),
                actual.Dgate is null ? 0 : Compare.RelativeError(actual.Dgate, expected.Dgate!));
    }

    /// <summary>Fails naming the spec, dtype, shape and output when an error exceeds the dtype's tolerance.</summary>
    public static void Check(nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed)
    {
        using var scope = NewDisposeScope();
        var errors = Errors(module, dtype, shape, seed);
        double tolerance = dtype == ScalarType.Float32 ? Float32Tolerance : HalfTolerance;
        string what = $"{((IPolyComModule)module).Spec} {dtype} {shape}";
        foreach (var (name, error) in new[] { ("y", errors.Y), ("dx", errors.Dx), ("dweight", errors.Dweight), ("dbias", errors.Dbias), ("dgate", errors.Dgate) })
        {
            Assert.True(error < tolerance, $"{what} {name}: relative error {error:E2} exceeds {tolerance:E0}");
        }
    }

    // Entries whose float64 value overflows the storage dtype, where the kernel stored that same infinity, count as
    // exact: a float16 sum of 40 x 67 terms can exceed 65504, and infinity is then the right stored result.
    private static (Outputs Expected, Outputs Actual) WithoutOverflows(Outputs expected, Outputs actual, ScalarType dtype)
    {
        (Tensor E, Tensor A) Clear(Tensor e, Tensor a)
        {
            Tensor stored = e.to(dtype).to(float64);
            Tensor same = stored.isinf() & e.isfinite() & a.eq(stored);
            return (e.masked_fill(same, 0.0), a.masked_fill(same, 0.0));
        }
        var (y, dx, dweight, dbias) = (Clear(expected.Y, actual.Y), Clear(expected.Dx, actual.Dx), Clear(expected.Dweight, actual.Dweight), Clear(expected.Dbias, actual.Dbias));
        var (dgateExpected, dgateActual) = expected.Dgate is null ? (null, null) : Clear(expected.Dgate, actual.Dgate!);
        return (new Outputs(y.E, dx.E, dweight.E, dbias.E, dgateExpected), new Outputs(y.A, dx.A, dweight.A, dbias.A, dgateActual));
    }

    private static double SmallestNormal(ScalarType dtype) => dtype == ScalarType.Float16 ? 6.103515625e-05 : 1.1754943508222875e-38;

    /// <summary>
    /// The float64 CPU outputs and the emulated outputs (as float64) for the same inputs, and the magnitudes of
    /// the summands of dweight and dbias.
    /// </summary>
    public static (Outputs Expected, Outputs Actual, (Tensor Dweight, Tensor Dbias) Scales) Run(
        nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, CudaEmulationOptions? options = null, KernelDescriptor? kernels = null)
    {
        var activation = (IPolyComModule)module;
        var (x, gate, dy) = Inputs(module, dtype, shape, seed, storageParameters: true);
        Outputs expected = Harness.Fused(module, x.to(float64), dy.to(float64), gate?.to(float64));
        var scales = Harness.ParameterGradientScales(activation.Spec, module, x.to(float64), dy.to(float64), gate?.to(float64));
        kernels ??= activation.Descriptor;
        Tensor weight = activation.Weight.detach().to(dtype), bias = activation.Bias.detach().to(dtype);
        Tensor y = CudaEmulator.Forward(kernels, x, gate, weight, bias, options);
        PolyComGradients gradients = CudaEmulator.Backward(kernels, x, gate, dy, weight, bias, options);
        var actual = new Outputs(y.to(float64), gradients.Dx.to(float64), gradients.Dweight.to(float64), gradients.Dbias.to(float64), gradients.Dgate?.to(float64));
        return (expected, actual, scales);
    }

    /// <summary>The raw outputs of the emulated kernels, for bitwise comparisons.</summary>
    public static Tensor[] RawOutputs(nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, CudaEmulationOptions options)
    {
        var activation = (IPolyComModule)module;
        var (x, gate, dy) = Inputs(module, dtype, shape, seed, storageParameters: false);
        Tensor weight = activation.Weight.detach().to(dtype), bias = activation.Bias.detach().to(dtype);
        Tensor y = CudaEmulator.Forward(activation.Descriptor, x, gate, weight, bias, options);
        PolyComGradients g = CudaEmulator.Backward(activation.Descriptor, x, gate, dy, weight, bias, options);
        return g.Dgate is null ? [y, g.Dx, g.Dweight, g.Dbias] : [y, g.Dx, g.Dweight, g.Dbias, g.Dgate];
    }

    // Random parameters (rounded to the storage dtype when both sides must see the same values) and inputs in the
    // storage dtype: x, the gate of a gated spec, and dy.
    private static (Tensor X, Tensor? Gate, Tensor Dy) Inputs(nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, bool storageParameters)
    {
        var activation = (IPolyComModule)module;
        var generator = new torch.Generator(seed);
        Harness.Randomise(module, float64, generator);
        if (storageParameters)
        {
            using (no_grad())
            {
                activation.Weight.copy_(activation.Weight.to(dtype).to(float64));
                activation.Bias.copy_(activation.Bias.to(dtype).to(float64));
            }
        }
        Tensor x = Stored(Input(activation, shape, generator), dtype, shape.Offset);
        Tensor? gate = activation.Spec.Gated ? Stored(randn(shape.Dims, dtype: float64, generator: generator), dtype, shape.Offset) : null;
        Tensor dy = Stored(randn(shape.Dims, dtype: float64, generator: generator), dtype, shape.Offset);
        return (x, gate, dy);
    }

    // With H = 1, Norm(u) = u / sqrt(u^2 + eps) is sign(u) up to eps, and its derivative comes out of a cancellation
    // that costs float32 a relative error of about 1e-7 * u^2 / eps in any evaluation. Inputs of 1e-3 at most keep
    // u^2 below eps, so that such rows test the kernels' indexing rather than the conditioning.
    private static Tensor Input(IPolyComModule activation, EmulatedShape shape, torch.Generator generator)
    {
        Tensor x = Harness.Input(activation.Spec, shape.Dims, generator);
        return activation.Descriptor.Rowwise && shape.Dims[^1] == 1 ? x * 1e-3 : x;
    }

    // The values in the storage dtype; with an offset, as a view starting one element into a larger buffer.
    private static Tensor Stored(Tensor values, ScalarType dtype, bool offset)
    {
        Tensor stored = values.to(dtype);
        if (!offset)
        {
            return stored;
        }
        Tensor buffer = zeros([stored.numel() + 1], dtype: dtype);
        Tensor view = buffer.narrow(0, 1, stored.numel()).view(stored.shape);
        view.copy_(stored);
        Assert.True(view.is_contiguous());
        return view;
    }
}
