using System.Linq;
using System.Collections.Generic;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Verification;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>The generated kernels have no data race: every schedule, and every run, gives bitwise the same outputs.</summary>
[Trait("Category", "CudaEmulation")]
public sealed class ScheduleTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in new[] { "PolyNorm", "NormType1Order3", "PolyReLU", "GELUType2Order2" })
        {
            foreach (ScalarType dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                yield return [name, dtype];
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void EverySchedulesAndRunsAreBitwiseIdentical(string name, ScalarType dtype)
    {
        EmulatedParity.RequireEmulator();
        using var scope = NewDisposeScope();
        PolyComActivation entry = SpecGrid.All[SpecGrid.IndexOf(name)];
        var shape = new EmulatedShape([40, 1031]);
        KernelOutputs reference = EmulatedParity.RawOutputs(entry.CreateModule(), dtype, shape, 7, new CudaEmulationOptions(EmulationSchedule.ThreadOrder));
        var others = new (string Label, CudaEmulationOptions Options)[]
        {
            ("thread order, second run", new(EmulationSchedule.ThreadOrder)),
            ("random order, seed 1", new(EmulationSchedule.Random, Seed: 1)),
            ("random order, seed 2", new(EmulationSchedule.Random, Seed: 2)),
            ("warp by warp", new(EmulationSchedule.WarpByWarp)),
        };
        foreach (var (label, options) in others)
        {
            KernelOutputs outputs = EmulatedParity.RawOutputs(entry.CreateModule(), dtype, shape, 7, options);
            foreach (var (output, actual, expected) in new[] { ("y", outputs.Y, reference.Y), ("dx", outputs.Dx, reference.Dx), ("dparameters", outputs.Dparameters, reference.Dparameters), ("dgate", outputs.Dgate ?? [], reference.Dgate ?? []) })
            {
                Assert.True(actual.Select(System.BitConverter.DoubleToInt64Bits).SequenceEqual(expected.Select(System.BitConverter.DoubleToInt64Bits)),
                    $"{name} {dtype} {output}, {label} against thread order: not bitwise equal");
            }
        }
    }
}
