using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>The activations this sample declares, by name.</summary>
public static class Catalogue
{
    public sealed record Activation(string Name, PolyComSpec Spec, Func<nn.Module<Tensor, Tensor>> Create, string CudaSource);

    public static readonly IReadOnlyList<Activation> Activations =
    [
        new("PolyNorm", PolyNorm.Spec, () => new PolyNorm(), PolyNorm.CudaSource),
        new("PolyReLU", PolyReLU.Spec, () => new PolyReLU(), PolyReLU.CudaSource),
        new("PolyGELU", PolyGELU.Spec, () => new PolyGELU(), PolyGELU.CudaSource),
        new("PolyTanh", PolyTanh.Spec, () => new PolyTanh(), PolyTanh.CudaSource),
    ];
}
