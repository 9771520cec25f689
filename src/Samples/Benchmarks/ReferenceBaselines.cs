using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Benchmarks;

/// <summary>
/// Eager baselines written as the published reference code writes these activations, for the activations whose
/// generated eager form (the same expressions as the kernels) would flatter the comparison: the Padé activation unit as
/// rational_activations' "Rational_PYTORCH_A_F" (stacked powers, products, sums, abs, divide) and KAT's group rational
/// as its PyTorch reference (the same with the channels viewed as [..., groups, D / groups] and one denominator per
/// group). Each reads the module's own parameters, so autograd differentiates them too.
/// </summary>
public static class ReferenceBaselines
{
    /// <summary>The baseline of each activation that has one, by the sample's class name.</summary>
    public static IReadOnlyDictionary<string, Func<nn.Module, Tensor, Tensor>> ByName { get; } = new Dictionary<string, Func<nn.Module, Tensor, Tensor>>(StringComparer.OrdinalIgnoreCase)
    {
        ["PAU"] = (module, x) => Pau(x, Stack(module, "a", 6), Stack(module, "b", 4)),
        ["KAT"] = (module, x) => Kat(x, Stack(module, "a", 6), Stack(module, "b", 4)),
    };

    /// <summary>
    /// P(x) / (1 + sum_j |b_j x^j|) with x flattened, its powers stacked as columns, the numerator the row sums of
    /// powers times a, the denominator the row sums of |powers times [1, b, 0...]|.
    /// </summary>
    public static Tensor Pau(Tensor x, Tensor numerator, Tensor denominator)
    {
        Tensor z = x.reshape(-1);
        Tensor powers = Powers(z, (int)numerator.shape[0], 1);
        Tensor expanded = cat([ones(1, dtype: x.dtype), denominator, zeros(numerator.shape[0] - denominator.shape[0] - 1, dtype: x.dtype)], 0);
        Tensor p = powers.mul(numerator).sum(1);
        Tensor q = powers.mul(expanded).abs().sum(1);
        return p.div(q).view(x.shape);
    }

    /// <summary>
    /// KAT's group rational: x viewed as [rows, groups, D / groups, 1], powers stacked on the last axis, the shared
    /// numerator [6] and the per-group denominator [groups, 4] broadcast over them.
    /// </summary>
    public static Tensor Kat(Tensor x, Tensor numerator, Tensor denominator)
    {
        long groups = denominator.shape[0];
        Tensor z = x.reshape(-1, groups, x.shape[^1] / groups);
        Tensor powers = Powers(z, (int)numerator.shape[0], -1);
        Tensor p = (powers * numerator).sum(-1);
        Tensor q = (powers.narrow(-1, 1, denominator.shape[^1]) * denominator.unsqueeze(1)).abs().sum(-1).add(One);
        return (p / q).view(x.shape);
    }

    // Long-lived: TorchSharp does not keep a temporary scalar (1 + t) alive across the native call.
    private static readonly Scalar One = 1.0.ToScalar();

    // The powers 1, z, z^2, ... stacked on axis `dim`, each the previous times z, as rational_activations' _get_xps builds them.
    private static Tensor Powers(Tensor z, int count, long dim)
    {
        var columns = new List<Tensor> { ones_like(z) };
        for (int i = 1; i < count; i++)
        {
            columns.Add(columns[^1] * z);
        }
        return stack(columns.ToArray(), dim);
    }

    // The module's parameters prefix0 .. prefix{count-1} (a0.., or b1..), stacked on the last axis: [count] when each is
    // [1] (shared or ungrouped), [groups, count] when each is [groups].
    private static Tensor Stack(nn.Module module, string prefix, int count)
    {
        int first = prefix == "a" ? 0 : 1;
        var named = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Tensor[] parts = Enumerable.Range(first, count).Select(i => named[prefix + i]).ToArray();
        return parts[0].numel() == 1 ? cat(parts, 0) : stack(parts, -1);
    }
}
