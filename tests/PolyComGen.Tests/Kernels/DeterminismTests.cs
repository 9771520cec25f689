using PolyComGen.Backends.Cpu;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Descriptor;

/// <summary>Gradients are bitwise identical run to run and for any number of threads.</summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class DeterminismTests
{
    [Theory]
    [InlineData("PolyNorm", 64, 4096)]
    [InlineData("PolyReLU", 64, 4096)]
    [InlineData("PolyNorm", 3, 100_003)]
    [InlineData("PolyReLU", 1, 200_003)]
    public void GradientsAreBitwiseIdenticalAcrossRunsAndThreadCounts(string variant, long rows, long h)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(5);
        var (module, spec) = Variants.Create(variant);
        Harness.Randomise(module, float32, generator);
        Tensor x = Harness.Input(spec, [rows, h], generator).to(float32);
        Tensor upstream = randn([rows, h], generator: generator);
        try
        {
            CpuBackend.ThreadCount = 2;
            Outputs first = Harness.Fused(module, x, upstream);
            Outputs second = Harness.Fused(module, x, upstream);
            CpuBackend.ThreadCount = 1;
            Outputs single = Harness.Fused(module, x, upstream);

            foreach (var (other, label) in new[] { (second, "second run"), (single, "one thread") })
            {
                Compare.BitwiseEqual(other.Y, first.Y, $"{variant} y, {label}");
                Compare.BitwiseEqual(other.Dx, first.Dx, $"{variant} dx, {label}");
                Compare.BitwiseEqual(other.Dparameters, first.Dparameters, $"{variant} dparameters, {label}");
            }
        }
        finally
        {
            CpuBackend.ThreadCount = 0;
        }
    }
}

/// <summary>Tests that change the process-wide thread count run one at a time.</summary>
[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public sealed class ThreadCountCollection;
