using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>An FFN activation the explorer can train with.</summary>
/// <param name="Name">The name used on the command line and in the outputs.</param>
/// <param name="Description">What it computes.</param>
/// <param name="Create">A fresh activation module (null for the gated SwiGLU, built into the FFN).</param>
public sealed record ActivationVariant(string Name, string Description, Func<nn.Module<Tensor, Tensor>>? Create)
{
    public bool IsGated => Create is null;

    /// <summary>The baselines of the paper, then every [PolyCom] class of this sample.</summary>
    public static IReadOnlyList<ActivationVariant> All { get; } =
    [
        new("SwiGLU", "silu(x W_g) * (x W_u), hidden width 2/3 of the others for equal parameters", null),
        new("GELU", "gelu(x)", () => new Lambda("GELU", x => nn.functional.gelu(x))),
        new("ReLU", "relu(x)", () => new Lambda("ReLU", x => nn.functional.relu(x))),
        new("ReLU2", "relu(x)^2", () => new Lambda("ReLU2", x => nn.functional.relu(x).square())),
        .. PolyComActivations.All.Where(a => !a.Spec.Gated).Select(a => new ActivationVariant(a.Name, a.Spec.ToString(), () => (nn.Module<Tensor, Tensor>)a.Create())),
    ];

    /// <summary>The variants named in <paramref name="names"/> (case-insensitive); throws listing the known ones otherwise.</summary>
    public static IReadOnlyList<ActivationVariant> Select(IEnumerable<string> names)
    {
        var chosen = new List<ActivationVariant>();
        foreach (string name in names)
        {
            ActivationVariant variant = All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ExplorerException($"Unknown variant '{name}'. Known variants: {string.Join(", ", All.Select(v => v.Name))}.");
            if (!chosen.Contains(variant))
            {
                chosen.Add(variant);
            }
        }
        return chosen.Count > 0 ? chosen : throw new ExplorerException("No variant was chosen.");
    }

    /// <summary>An activation written as a function.</summary>
    private sealed class Lambda(string name, Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor x) => function(x);
    }
}
