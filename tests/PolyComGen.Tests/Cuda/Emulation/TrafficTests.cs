using System.Collections.Generic;
using System.Linq;
using PolyComGen.Tests.Numerics;
using PolyComGen.Verification;
using Xunit;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>
/// The CUDA kernels' global-memory traffic, counted on the emulated device (<see cref="KernelTraffic"/>): every output
/// is written exactly once and no input is written; every input is read a whole number of times (each sweep reads all
/// of it, once); elementwise kernels are at the floor (each input read once). The norm kernels still sweep their rows
/// more than once (issue 31): their counts are pinned here as measured, so that a kernel that reads more, or the
/// row-resident kernels that read less, change this test on purpose.
/// </summary>
[Trait("Category", "CudaEmulation")]
public sealed class TrafficTests
{
    // The reads of each input per direction, as counted: the passes of the plan that read it.
    public static TheoryData<string, string, string> Expected => new()
    {
        { "PolyReLU", "x 1", "x 1, dy 1" },
        { "GELUType1Order3", "x 1", "x 1, dy 1" },
        { "TanhType2Order4", "x 1", "x 1, dy 1" },
        { "GatedReLUType1Order3", "x 1, gate 1", "x 1, gate 1, dy 1" },
        { "GroupedSwishBetaType1Order2", "x 1", "x 1, dy 1" },
        { "XIELU", "x 1", "x 1, dy 1" },
        { "PolyNorm", "x 2", "x 2, dy 2" },
        { "NormType2Order8", "x 2", "x 2, dy 2" },
        { "NormType1Order3", "x 2", "x 3, dy 2" },
        { "GatedNormType2Order3", "x 2, gate 1", "x 2, gate 2, dy 2" },
        { "NormTanhType2Order3", "x 2", "x 2, dy 2" },
        { "GroupedPolyNorm", "x 2", "x 2, dy 2" },
    };

    [SkippableTheory]
    [MemberData(nameof(Expected))]
    public void EachOutputIsWrittenOnceAndEachInputReadAsOftenAsThePlanSweepsIt(string name, string forwardReads, string backwardReads)
    {
        EmulatedParity.RequireEmulator();
        PolyComActivation activation = SpecGrid.All.Single(a => a.Name == name);
        foreach (StorageFormat format in new[] { StorageFormat.Float32, StorageFormat.BFloat16 })
        {
            foreach (long h in new long[] { 1024, 4096, 8192, 16384 })
            {
                IReadOnlyList<KernelTraffic.Transfer> transfers = KernelTraffic.Measure(activation.Descriptor, format, rows: 2, h);
                string where = $"{name} {format} h = {h}";
                foreach (KernelTraffic.Transfer t in transfers)
                {
                    bool output = t.Tensor is "y" or "dx" or "dgate";
                    Assert.True(output ? t.Writes == 1 && t.Reads == 0 : t.Writes == 0, $"{where}: {t.Direction} {t.Tensor} read {t.Reads}, written {t.Writes}");
                }
                Assert.Equal(forwardReads, Reads(transfers, "forward"));
                Assert.Equal(backwardReads, Reads(transfers, "backward"));
            }
        }
    }

    // "x 2, gate 1": each input's reads in a direction, in the order the kernels take them.
    private static string Reads(IEnumerable<KernelTraffic.Transfer> transfers, string direction) => string.Join(", ", transfers
        .Where(t => t.Direction == direction && t.Tensor is not ("y" or "dx" or "dgate"))
        .Select(t => $"{t.Tensor} {t.Reads.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
}
