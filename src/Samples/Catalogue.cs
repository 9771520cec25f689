using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>The activations this sample declares, by name.</summary>
public static class Catalogue
{
    public sealed record Activation(string Name, PolyComSpec Spec, Func<nn.Module<Tensor, Tensor>> Create);

    public static readonly IReadOnlyList<Activation> Activations =
    [
        new("PolyNorm", PolyNorm.Spec, () => new PolyNorm()),
        new("PolyReLU", PolyReLU.Spec, () => new PolyReLU()),
        new("PolyGELU", PolyGELU.Spec, () => new PolyGELU()),
        new("PolyTanh", PolyTanh.Spec, () => new PolyTanh()),
    ];
}
