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

        Assert.Contains($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock}\n#define PCG_ROW_BLOCK {KernelContract.MaxRowThreads}\n#define PCG_ROW_CHUNKS {KernelContract.RowChunksPerThread}\n", source);
        Assert.Contains($"#define PCG_GROUPS {descriptor.Groups}\n#define PCG_SLOTS {descriptor.ParameterNames.Count}\n", source);
        Assert.Contains($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}f\n", source);
        bool split = KernelContract.HasSplitKernels(descriptor.Rowwise, descriptor.Groups);
        Assert.Equal(descriptor.Rowwise && descriptor.Groups == 1, split); // every norm spec without groups of columns
        foreach (StorageType storage in KernelContract.StorageTypes)
        {
            foreach (KernelRole role in split ? KernelContract.OneShotRoles.Concat(KernelContract.SplitRoles) : KernelContract.OneShotRoles)
            {
                string parameters = string.Join(", ", KernelContract.Parameters(role, descriptor.Gated).Select(p => $"{p.CudaType(storage)} {p.Name}"));
                string signature = $"extern \"C\" __global__ void __launch_bounds__({KernelContract.BlockBound(role, descriptor.Rowwise)}) {KernelContract.EntryPoint(role, storage)}({parameters})";
                Assert.True(source.Contains(signature), $"{spec}: no {signature}");
            }
        }
        string[] defined = Regex.Matches(source, @"extern ""C"" __global__ void __launch_bounds__\(PCG_(?:ROW_)?BLOCK\) (\w+)\(").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(KernelContract.EntryPoints(split).OrderBy(n => n), defined.OrderBy(n => n));
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
        // ... as written in this project's sources, by argument (not the spec's own ToString).
        string written = DeclarationOf(activation.Name);
        string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Argument(written, "Order") ?? Invariant(written.StartsWith("[Activation", System.StringComparison.Ordinal) ? 1 : KernelContract.DefaultOrder), Invariant(descriptor.Spec.Order));
        Assert.Equal(Argument(written, "Type") ?? Invariant(written.StartsWith("[Activation", System.StringComparison.Ordinal) ? 1 : KernelContract.DefaultType), Invariant(descriptor.Spec.Type));
        Assert.Equal(Argument(written, "Inner") ?? Regex.Match(written, @"^\[Activation\(""([^""]*)""").Groups[1].Value, descriptor.Spec.Inner);
        Assert.Equal(activation.Spec.Inner.Equals("Norm", System.StringComparison.OrdinalIgnoreCase) || activation.Spec.Inner.StartsWith("norm(", System.StringComparison.OrdinalIgnoreCase), descriptor.Rowwise);
        Assert.Equal(spec.Contains("Gated = true"), descriptor.Gated);
        Assert.Contains($"on {activation.Name}:", descriptor.CudaSource.Split('\n')[0]);

        // The module's parameters: named, shaped and initialised as the README promises (PyTorch's state_dict keys).
        // A PolyCom has weight [Order] = 1/Order and bias [1] = 0; then, for PolyCom and [Activation] alike, each
        // declared parameter "name = value" is a parameter of that key, shape [1] and initial value.
        var declared = activation.Spec.Parameters.Split(',', System.StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=')).Select(p => (Name: p[0].Trim(), Value: float.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        string[] keys = [.. activation.Spec.Activation ? [] : new[] { "weight", "bias" }, .. declared.Select(p => p.Name)];
        var named = ((torch.nn.Module)module).named_parameters().ToList();
        Assert.Equal(keys.OrderBy(k => k), named.Select(p => p.name).OrderBy(k => k));
        Assert.Equal(keys.OrderBy(k => k), ((torch.nn.Module)module).state_dict().Keys.OrderBy(k => k));
        if (!activation.Spec.Activation)
        {
            var (weight, bias) = Support.Harness.Parameters((torch.nn.Module)module);
            long groups = activation.Spec.Groups;
            Assert.Equal(groups == 1 ? [(long)activation.Spec.Order] : [groups, activation.Spec.Order], weight.shape);
            Assert.Equal([groups], bias.shape);
            Assert.All(weight.data<float>().ToArray(), w => Assert.Equal(1f / activation.Spec.Order, w));
            Assert.Equal(0f, bias.data<float>()[0]);
        }
        var shared = activation.Spec.Shared.Split(',', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries);
        foreach (var (name, value) in declared)
        {
            var parameter = Support.Harness.Named((torch.nn.Module)module, name);
            Assert.Equal([shared.Contains(name) ? 1L : activation.Spec.Groups], parameter.shape);
            if (activation.Spec.Fit.Length == 0)
            {
                Assert.All(parameter.data<float>().ToArray(), v => Assert.Equal(value, v)); // a fit moves them: LearnedParameterTests
            }
        }
        string[] slots = [.. activation.Spec.Activation ? [] : Enumerable.Range(0, activation.Spec.Order).Select(k => $"weight[{k}]").Append("bias"), .. declared.Select(p => p.Name)];
        Assert.Equal(slots, descriptor.ParameterNames.ToArray());
        Assert.Equal(activation.Spec.Groups, descriptor.Groups);
        Assert.Equal(slots.Length * activation.Spec.Groups, module.KernelParameters().numel());
    }

    [Fact]
    public void EntryPointNamesAreUniqueAndCarryTheStorageSuffix()
    {
        foreach (bool split in new[] { false, true })
        {
            string[] names = KernelContract.EntryPoints(split);
            int roles = split ? 7 : 3;
            Assert.Equal(names.Length, names.Distinct().Count());
            Assert.Equal(roles * KernelContract.StorageTypes.Length, names.Length);
            Assert.All(KernelContract.StorageTypes, s => Assert.Equal(roles, names.Count(n => n.EndsWith("_" + s.Suffix, System.StringComparison.Ordinal))));
        }
    }

    // The attribute that declares the class, as written in this test project's sources (over one line or several).
    private static string DeclarationOf(string className)
    {
        var @class = new Regex($@"\bclass {Regex.Escape(className)}\b");
        foreach (string file in System.IO.Directory.EnumerateFiles(Support.RepositoryFiles.Path("tests", "PolyComGen.Tests"), "*.cs", System.IO.SearchOption.AllDirectories))
        {
            string text = System.IO.File.ReadAllText(file);
            if (@class.Match(text) is { Success: true } match)
            {
                int start = System.Math.Max(text.LastIndexOf("[PolyCom(", match.Index, System.StringComparison.Ordinal), text.LastIndexOf("[Activation(", match.Index, System.StringComparison.Ordinal));
                return text[start..match.Index];
            }
        }
        throw new Xunit.Sdk.XunitException($"no declaration of {className} in the test sources");
    }

    // A named argument's value as written (a string argument without its quotes); null when the declaration omits it.
    private static string? Argument(string declaration, string name)
    {
        Match match = Regex.Match(declaration, $@"\b{name} = (""(?<text>[^""]*)""|(?<text>[^,)\]]+))");
        return match.Success ? match.Groups["text"].Value.Trim() : null;
    }
}
