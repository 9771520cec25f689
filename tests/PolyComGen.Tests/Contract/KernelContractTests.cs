using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Contract;
using PolyComGen.Tests.Numerics;
using Xunit;

namespace PolyComGen.Tests.Contract;

/// <summary>
/// The two sides of the kernel contract, held together without a GPU: every entry point the runtime launches
/// (KernelContract.EntryPoint, with KernelContract.Parameters packed in that order, in blocks of
/// KernelContract.ThreadsPerBlock) is defined by every generated translation unit with exactly that signature and
/// block size, and the translation unit defines no other.
/// </summary>
public sealed class KernelContractTests
{
    public static IEnumerable<object[]> Activations() => SpecGrid.Indexed();

    [Theory]
    [MemberData(nameof(Activations))]
    public void EveryEntryPointTheRuntimeLaunchesIsDefinedWithItsSignatureAndBlockSize(string spec, int index)
    {
        KernelDescriptor kernels = SpecGrid.All[index].Kernels;
        string source = kernels.CudaSource;

        Assert.Contains($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock}\n", source);
        Assert.Contains($"#define PCG_ORDER {kernels.Order}\n", source);
        Assert.Contains($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}f\n", source);
        foreach (StorageType storage in KernelContract.StorageTypes)
        {
            foreach (KernelRole role in new[] { KernelRole.Forward, KernelRole.Backward, KernelRole.Reduce })
            {
                string parameters = string.Join(", ", KernelContract.Parameters(role, kernels.Gated).Select(p => $"{p.CudaType(storage)} {p.Name}"));
                string signature = $"extern \"C\" __global__ void __launch_bounds__(PCG_BLOCK) {KernelContract.EntryPoint(role, storage)}({parameters})";
                Assert.True(source.Contains(signature), $"{spec}: no {signature}");
            }
        }
        string[] defined = Regex.Matches(source, @"extern ""C"" __global__ void __launch_bounds__\(PCG_BLOCK\) (\w+)\(").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(KernelContract.EntryPoints().OrderBy(n => n), defined.OrderBy(n => n));
        Assert.Equal(defined.Length, Regex.Matches(source, @"__global__").Count);
    }

    [Fact]
    public void TheDescriptorAgreesWithTheSpec()
    {
        foreach (PolyComActivation activation in SpecGrid.All)
        {
            Assert.Same(activation.Kernels, ((IPolyComModule)activation.Create()).Kernels);
            Assert.Equal(activation.Spec, activation.Kernels.Spec);
            Assert.InRange(activation.Spec.Order, KernelContract.MinOrder, KernelContract.MaxOrder);
            Assert.Equal(activation.Spec.Gated, activation.Kernels.Gated);
        }
    }

    [Fact]
    public void EntryPointNamesAreUniqueAndCarryTheStorageSuffix()
    {
        string[] names = KernelContract.EntryPoints();
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal(3 * KernelContract.StorageTypes.Length, names.Length);
        Assert.All(KernelContract.StorageTypes, s => Assert.Equal(3, names.Count(n => n.EndsWith("_" + s.Suffix, System.StringComparison.Ordinal))));
    }
}
