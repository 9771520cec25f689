using System;
using System.Linq;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Contract;
using PolyComGen.Verification;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>One shape of an emulated-device check; <see cref="Offset"/> makes x and dy views that start one element in, so not 16-byte aligned.</summary>
public sealed record EmulatedShape(long[] Dims, bool Offset = false)
{
    public override string ToString() => $"[{string.Join(", ", Dims)}]{(Offset ? " offset" : "")}";
}

/// <summary>
/// A spec's CUDA kernels on the emulated device against its float64 CPU kernels, through the parity checker
/// (<see cref="ParityCheck"/>, which defines the inputs and the error measures), with the shapes and dtypes the
/// tests sweep.
/// </summary>
public static class EmulatedParity
{
    public static readonly double Float32Tolerance = ParityCheck.Tolerance(StorageFormat.Float32), HalfTolerance = ParityCheck.Tolerance(StorageFormat.BFloat16);

    /// <summary>
    /// The shapes every spec runs: odd H, more rows than the emulated grid's blocks, whole 16-byte chunks (rows kept on
    /// chip, each block taking several), a misaligned view.
    /// </summary>
    public static readonly EmulatedShape[] Small = [new([3, 7]), new([40, 67]), new([40, 64]), new([2, 130], Offset: true)];

    /// <summary>
    /// The snapshot specs' shapes: also H = 1, H off the 16-byte chunk, rows of 1024 in whole chunks, H = 65536 in one row
    /// (longer than a block keeps on chip), three dimensions.
    /// </summary>
    public static readonly EmulatedShape[] Full =
    [
        new([1, 1]), new([3, 7]), new([5, 1031]), new([40, 1024]), new([1, 65536]), new([40, 67]), new([2, 3, 130]), new([6, 300], Offset: true),
        new([1, 4099], Offset: true),
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

    /// <summary>The storage format of a dtype.</summary>
    public static StorageFormat Format(ScalarType dtype) => StorageFormat.All.Single(f => BackendTarget.DtypeOf(f) == dtype);

    /// <summary>The errors of y, dx, dweight, dbias (and dgate), each against the float64 CPU kernels.</summary>
    public static ParityResult Errors(
        nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, CudaEmulationOptions? options = null, KernelDescriptor? descriptor = null) =>
        ParityCheck.Run(descriptor ?? ((IPolyComModule)module).Descriptor, Target(options, shape), Format(dtype), shape.Dims, seed);

    /// <summary>Fails naming the spec, dtype, shape and output when an error exceeds the dtype's tolerance.</summary>
    public static void Check(nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed)
    {
        ParityResult result = Errors(module, dtype, shape, seed);
        Assert.True(result.Passed, $"{result.Spec} {dtype} {shape}: {string.Join("\n", ParityReport.Header().Append(ParityReport.Row(result)))}");
    }

    /// <summary>The raw outputs of the emulated kernels, for bitwise comparisons.</summary>
    public static KernelOutputs RawOutputs(nn.Module module, ScalarType dtype, EmulatedShape shape, ulong seed, CudaEmulationOptions options)
    {
        KernelDescriptor descriptor = ((IPolyComModule)module).Descriptor;
        StorageFormat format = Format(dtype);
        return Target(options, shape).Run(descriptor, format, ParityCheck.Inputs(descriptor, shape.Dims, format, seed));
    }

    private static BackendTarget Target(CudaEmulationOptions? options, EmulatedShape shape) => new(new EmulatedCudaBackend(options), shape.Offset);
}
