using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Contract;
using PolyComGen.Tests.Numerics;
using TorchSharp;
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
        KernelDescriptor descriptor = SpecGrid.All[index].Descriptor;
        string source = descriptor.CudaSource;

        Assert.Contains($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock}\n", source);
        Assert.Contains($"#define PCG_ORDER {descriptor.Order}\n", source);
        Assert.Contains($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}f\n", source);
        foreach (StorageType storage in KernelContract.StorageTypes)
        {
            foreach (KernelRole role in new[] { KernelRole.Forward, KernelRole.Backward, KernelRole.Reduce })
            {
                string parameters = string.Join(", ", KernelContract.Parameters(role, descriptor.Gated).Select(p => $"{p.CudaType(storage)} {p.Name}"));
                string signature = $"extern \"C\" __global__ void __launch_bounds__(PCG_BLOCK) {KernelContract.EntryPoint(role, storage)}({parameters})";
                Assert.True(source.Contains(signature), $"{spec}: no {signature}");
            }
        }
        string[] defined = Regex.Matches(source, @"extern ""C"" __global__ void __launch_bounds__\(PCG_BLOCK\) (\w+)\(").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(KernelContract.EntryPoints().OrderBy(n => n), defined.OrderBy(n => n));
        Assert.Equal(defined.Length, Regex.Matches(source, @"__global__").Count);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void TheDescriptorAndTheModuleAgreeWithTheDeclaredSpec(string spec, int index)
    {
        using var scope = torch.NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[index];
        var module = activation.Create();
        KernelDescriptor descriptor = activation.Descriptor;

        // The descriptor's facts, each against what the spec text declares, not against the object they came from.
        Assert.Same(descriptor, module.Descriptor);
        Assert.Equal(spec, descriptor.Spec.ToString());
        Assert.Equal(activation.Spec.Inner.Equals("Norm", System.StringComparison.OrdinalIgnoreCase) || activation.Spec.Inner.StartsWith("norm(", System.StringComparison.OrdinalIgnoreCase), descriptor.Rowwise);
        Assert.Equal(spec.Contains("Gated = true"), descriptor.Gated);
        Assert.Contains($"on {activation.Name}:", descriptor.CudaSource.Split('\n')[0]);

        // The module's parameters: named, shaped and initialised as the README promises (PyTorch's state_dict keys).
        var named = ((torch.nn.Module)module).named_parameters().ToList();
        Assert.Equal(["weight", "bias"], named.Select(p => p.name).ToArray());
        Assert.Equal(["weight", "bias"], ((torch.nn.Module)module).state_dict().Keys.ToArray());
        Assert.Equal([(long)activation.Spec.Order], module.Weight.shape);
        Assert.Equal([1L], module.Bias.shape);
        Assert.All(module.Weight.data<float>().ToArray(), w => Assert.Equal(1f / activation.Spec.Order, w));
        Assert.Equal(0f, module.Bias.data<float>()[0]);
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
