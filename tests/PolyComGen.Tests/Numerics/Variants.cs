using System;
using System.Linq;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>The paper's two activations, declared as a user would.</summary>
[PolyCom(Order = 3, Inner = "Norm", Type = 2)]
public partial class PolyNorm { }

/// <inheritdoc cref="PolyNorm"/>
[PolyCom(Order = 3, Inner = "ReLU", Type = 1)]
public partial class PolyReLU { }

public static class Variants
{
    /// <summary>A fresh module of the activation this assembly declares as <paramref name="name"/>, and its spec.</summary>
    public static (nn.Module<Tensor, Tensor> Module, PolyComSpec Spec) Create(string name)
    {
        PolyComActivation activation = PolyComActivations.All.FirstOrDefault(a => a.Name == name)
            ?? throw new ArgumentException($"Unknown variant {name}", nameof(name));
        return ((nn.Module<Tensor, Tensor>)activation.Create(), activation.Spec);
    }
}
