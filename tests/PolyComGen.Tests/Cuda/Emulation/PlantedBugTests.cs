using System.Collections.Generic;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Verification;
using PolyComGen.Contract;
using PolyComGen.Tests.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>
/// The emulated device proves it can fail: bugs planted in copies of a generated translation unit, each of
/// the kind that compiles fine and shows only when the kernel runs, are caught under every schedule, by the
/// comparison with the CPU kernels or as a synchronisation failure the device reports.
/// </summary>
[Trait("Category", "CudaEmulation")]
public sealed class PlantedBugTests
{
    /// <summary>Bug name → the text it replaces in PolyNorm's translation unit, and what it puts there.</summary>
    public static readonly IReadOnlyDictionary<string, (string Find, string Replace)> Bugs = new Dictionary<string, (string, string)>
    {
        ["a __syncthreads removed from the block reduction"] = ("if (lane == 0) partial[k][warp] = v[k];\n    }\n    __syncthreads();", "if (lane == 0) partial[k][warp] = v[k];\n    }"),
        ["a shuffle offset changed"] = ("for (int offset = 16;", "for (int offset = 8;"),
        ["a tail loop one short"] = ("i < hi; i += nt)", "i + 1 < hi; i += nt)"),
        ["a wrong partials index"] = ("pcg_accumulated[1] +=", "pcg_accumulated[0] +="),
        ["a row cache never filled"] = ("if (!loaded)", "if (false)"),
        ["the reduction left to the next-to-last block"] = ("atomicAdd(counter, 1u) == gridDim.x * gridDim.y - 1u", "atomicAdd(counter, 1u) == gridDim.x * gridDim.y - 2u"),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string bug in Bugs.Keys)
        {
            foreach (EmulationSchedule schedule in new[] { EmulationSchedule.ThreadOrder, EmulationSchedule.Random, EmulationSchedule.WarpByWarp })
            {
                yield return [bug, schedule];
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void EveryPlantedBugIsCaught(string bug, EmulationSchedule schedule)
    {
        EmulatedParity.RequireEmulator();
        using var scope = NewDisposeScope();
        var module = new PolyNorm();
        KernelDescriptor original = PolyNorm.PolyComKernels.Descriptor;
        var (find, replace) = Bugs[bug];
        Assert.True(original.CudaSource.Contains(find), $"The generated source no longer contains the text to plant '{bug}' in: {find}");
        var planted = new KernelDescriptor(original.Name + "WithPlantedBug", original.Spec, original.Rowwise, original.Gated, original.CudaSource.Replace(find, replace), original.Cpu, [.. original.ParameterNames]);

        // Rows of 1031 floats run element by element (no row is 16-byte aligned), rows of 1024 in chunks kept on chip.
        bool caught = false;
        var errors = new List<string>();
        foreach (long h in new long[] { 1031, 1024 })
        {
            var correct = EmulatedParity.Errors(module, ScalarType.Float32, new EmulatedShape([40, h]), 3, new CudaEmulationOptions(schedule));
            Assert.True(correct.Passed, $"the unmodified kernels must pass at h = {h}");
            try
            {
                ParityResult result = EmulatedParity.Errors(new PolyNorm(), ScalarType.Float32, new EmulatedShape([40, h]), 3, new CudaEmulationOptions(schedule), planted);
                caught |= !result.Passed;
                errors.Add($"h = {h}: y {result.Y:E1}, dx {result.Dx:E1}, dparameters {result.Dparameters:E1}");
            }
            catch (CudaEmulationException e) when (e.Message.Contains("__syncthreads", System.StringComparison.Ordinal))
            {
                // Caught as a synchronisation failure: threads that read different block sums took different branches,
                // so some left the kernel while the others waited at a barrier.
                caught = true;
            }
        }
        Assert.True(caught, $"'{bug}' went unnoticed under {schedule}: errors {string.Join("; ", errors)}");
    }
}
