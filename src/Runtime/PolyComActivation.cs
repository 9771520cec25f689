using System;
using PolyComGen.Contract;

namespace PolyComGen;

/// <summary>
/// One activation of an assembly's generated registry (<c>{RootNamespace}.PolyComActivations.All</c>): its name,
/// spec and kernels, and a factory of fresh modules.
/// </summary>
/// <param name="Name">The declaring class's name.</param>
/// <param name="Spec">The spec.</param>
/// <param name="Factory">Creates a module with the default parameters.</param>
/// <param name="Kernels">The generated kernels, as the backends see them.</param>
public sealed record PolyComActivation(string Name, PolyComSpec Spec, Func<IPolyComModule> Factory, KernelDescriptor Kernels)
{
    /// <summary>A new module: a <c>Module&lt;Tensor, Tensor&gt;</c>, or <c>Module&lt;Tensor, Tensor, Tensor&gt;</c> (x, gate) when gated.</summary>
    public IPolyComModule Create() => Factory();

    /// <summary>The CUDA translation unit.</summary>
    public string CudaSource => Kernels.CudaSource;
}
