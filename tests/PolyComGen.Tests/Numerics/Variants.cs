using System;
using TorchSharp;
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
    public static (nn.Module<Tensor, Tensor> Module, PolyComSpec Spec) Create(string name) => name switch
    {
        "PolyNorm" => (new PolyNorm(), PolyNorm.Spec),
        "PolyReLU" => (new PolyReLU(), PolyReLU.Spec),
        _ => throw new ArgumentException($"Unknown variant {name}", nameof(name)),
    };
}
