using System.Collections.Generic;
using System.Linq;
using PolyComGen.Contract;
using PolyComGen.Tests.Numerics;
using PolyComGen.Verification;
using Xunit;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>
/// The CUDA kernels' global-memory traffic, counted on the emulated device (<see cref="KernelTraffic"/>): at the floor,
/// every input read once and every output written once per launch, forward and backward. Norm kernels keep their rows
/// on chip between passes (<c>pcg_row_cache</c>) up to 64 KiB per input (16k float32, 32k bfloat16 elements); longer
/// rows are read once for their kept part and once per pass for the rest, which is pinned too.
/// </summary>
[Trait("Category", "CudaEmulation")]
public sealed class TrafficTests
{
    // The snapshot specs and a few more: each input of each direction, in the order the kernels take them.
    public static TheoryData<string, string, string> Expected => new()
    {
        { "PolyReLU", "x", "x, dy" },
        { "GELUType1Order3", "x", "x, dy" },
        { "TanhType2Order4", "x", "x, dy" },
        { "GatedReLUType1Order3", "x, gate", "x, gate, dy" },
        { "GroupedSwishBetaType1Order2", "x", "x, dy" },
        { "XIELU", "x", "x, dy" },
        { "PolyNorm", "x", "x, dy" },
        { "NormType2Order8", "x", "x, dy" },
        { "NormType1Order3", "x", "x, dy" },
        { "GatedNormType2Order3", "x, gate", "x, gate, dy" },
        { "NormTanhType2Order3", "x", "x, dy" },
        { "GroupedPolyNorm", "x", "x, dy" },
    };

    [SkippableTheory]
    [MemberData(nameof(Expected))]
    public void EveryInputIsReadOnceAndEveryOutputWrittenOnceAtEveryRowLength(string name, string forwardInputs, string backwardInputs)
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation activation = SpecGrid.All.Single(a => a.Name == name);
        foreach (StorageFormat format in new[] { StorageFormat.Float32, StorageFormat.BFloat16 })
        {
            foreach (long h in new long[] { 1024, 4096, 8192, 16384 })
            {
                IReadOnlyList<KernelTraffic.Transfer> transfers = KernelTraffic.Measure(activation.Descriptor, format, rows: 2, h);
                AssertAtTheFloor(transfers, $"{name} {format} h = {h}");
                Assert.Equal(forwardInputs, Inputs(transfers, "forward"));
                Assert.Equal(backwardInputs, Inputs(transfers, "backward"));
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SpecGrid.Indexed), MemberType = typeof(SpecGrid))]
    public void EveryGridSpecIsAtTheFloorForShortAndLongRows(string spec, int index)
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation activation = SpecGrid.All[index];
        foreach (var (format, length) in new[] { (StorageFormat.Float32, 1024L), (StorageFormat.BFloat16, 32768L) })
        {
            // Whole chunks in every group of columns.
            long chunk = activation.Descriptor.Groups * (KernelContract.ChunkBytes / format.Size), h = length / chunk * chunk;
            AssertAtTheFloor(KernelTraffic.Measure(activation.Descriptor, format, rows: 2, h), $"{spec} {format} h = {h}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SpecGrid.ExpertsIndexed), MemberType = typeof(SpecGrid))]
    public void KernelsWithExpertsAreAtTheFloorInOneLaunchPerDirection(string spec, int index)
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation activation = SpecGrid.WithExperts[index];
        int experts = activation.Descriptor.Experts;
        // Uneven experts and an empty one: one launch of each direction, a row of blocks per expert, reads every row once.
        long[] rows = [.. Enumerable.Range(0, experts).Select(e => e == 1 ? 0L : 2L + 3 * e)];
        foreach (StorageFormat format in new[] { StorageFormat.Float32, StorageFormat.BFloat16 })
        {
            AssertAtTheFloor(KernelTraffic.Measure(activation.Descriptor, format, rows.Sum(), 1024, rows), $"{spec} {format}");
        }
    }

    [SkippableFact]
    public void RowsLongerThanTheChipKeepsAreReadOnceForTheKeptPartAndOncePerPassForTheRest()
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation activation = SpecGrid.All.Single(a => a.Name == "PolyNorm");
        // 64k float32: a quarter kept on chip, three quarters read by each of the two passes.
        IReadOnlyList<KernelTraffic.Transfer> transfers = KernelTraffic.Measure(activation.Descriptor, StorageFormat.Float32, rows: 1, 65536);
        foreach (KernelTraffic.Transfer t in transfers.Where(t => t.Tensor is "x" or "dy"))
        {
            Assert.Equal(1.75, t.Reads, 12);
        }
        Assert.All(transfers.Where(t => t.Tensor is "y" or "dx"), t => Assert.Equal(1.0, t.Writes));
    }

    private static void AssertAtTheFloor(IReadOnlyList<KernelTraffic.Transfer> transfers, string where)
    {
        foreach (KernelTraffic.Transfer t in transfers)
        {
            bool output = t.Tensor is "y" or "dx" or "dgate";
            Assert.True(output ? t.Writes == 1 && t.Reads == 0 : t.Writes == 0 && t.Reads == 1, $"{where}: {t.Direction} {t.Tensor} read {t.Reads}, written {t.Writes}");
        }
    }

    // "x, gate": the inputs a direction reads, in the order the kernels take them.
    private static string Inputs(IEnumerable<KernelTraffic.Transfer> transfers, string direction) => string.Join(", ", transfers
        .Where(t => t.Direction == direction && t.Tensor is not ("y" or "dx" or "dgate") && t.Reads > 0)
        .Select(t => t.Tensor));
}
