using System.Collections.Generic;
using System.Linq;
using PolyComGen.Tests.Generation;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>
/// Every spec of the grid, in float32, bfloat16 and float16, on the emulated device against the float64 CPU
/// kernels: forward, dx, dweight and dbias. The snapshot specs run the full shape set, the others a small one.
/// Two classes, so that xunit runs them (and the host compiler) side by side.
/// </summary>
public abstract class EmulatedGridTests
{
    public static IEnumerable<object[]> Half(int half) =>
        SpecGrid.All.Select((entry, index) => (entry, index)).Where(e => e.index % 2 == half)
            .SelectMany(e => EmulatedParity.Dtypes.Select(dtype => new object[] { e.entry.Spec.ToString(), e.index, dtype }));

    protected static void Check(string spec, int index, ScalarType dtype)
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation entry = SpecGrid.All[index];
        Assert.Equal(spec, entry.Spec.ToString());
        bool snapshot = SnapshotTests.Cases.Values.Any(declaration => declaration.StartsWith(spec + " ", System.StringComparison.Ordinal));
        EmulatedShape[] shapes = snapshot ? EmulatedParity.Full : EmulatedParity.Small;
        foreach (EmulatedShape shape in shapes)
        {
            EmulatedParity.Check(entry.CreateModule(), dtype, shape with { Dims = Harness.Shape(entry.Spec, shape.Dims) }, (ulong)(1000 + index));
        }
    }
}

[Trait("Category", "CudaEmulation")]
public sealed class EmulatedGridEvenTests : EmulatedGridTests
{
    public static IEnumerable<object[]> Specs() => Half(0);

    [SkippableTheory]
    [MemberData(nameof(Specs))]
    public void KernelsMatchTheFloat64CpuKernels(string spec, int index, ScalarType dtype) => Check(spec, index, dtype);
}

[Trait("Category", "CudaEmulation")]
public sealed class EmulatedGridOddTests : EmulatedGridTests
{
    public static IEnumerable<object[]> Specs() => Half(1);

    [SkippableTheory]
    [MemberData(nameof(Specs))]
    public void KernelsMatchTheFloat64CpuKernels(string spec, int index, ScalarType dtype) => Check(spec, index, dtype);
}
