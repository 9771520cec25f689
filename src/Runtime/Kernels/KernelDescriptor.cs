using System;

namespace PolyComGen.Kernels;

/// <summary>
/// What every backend needs to run a spec's kernels, emitted by the generator as data on each generated
/// kernel type (one instance per type, compared by reference): the module's name, its spec, how its kernels
/// split a tensor, and its CUDA translation unit.
/// </summary>
public sealed class KernelDescriptor
{
    /// <summary>Creates the descriptor of a generated kernel type.</summary>
    /// <param name="name">The declaring class's name, for messages.</param>
    /// <param name="spec">The spec the kernels compute.</param>
    /// <param name="rowwise">True when a kernel reduces over each row of the last dimension; false when elementwise.</param>
    /// <param name="cudaSource">The CUDA translation unit.</param>
    public KernelDescriptor(string name, PolyComSpec spec, bool rowwise, string cudaSource)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        Rowwise = rowwise;
        CudaSource = cudaSource ?? throw new ArgumentNullException(nameof(cudaSource));
    }

    /// <summary>The declaring class's name.</summary>
    public string Name { get; }

    /// <summary>The spec the kernels compute.</summary>
    public PolyComSpec Spec { get; }

    /// <summary>The number of weights, and of weight-gradient partials per row or block (one more for the bias).</summary>
    public int Order => Spec.Order;

    /// <summary>True when the kernels reduce over each row of the last dimension (Norm); false when elementwise.</summary>
    public bool Rowwise { get; }

    /// <summary>The complete CUDA translation unit, for NVRTC or the emulated device.</summary>
    public string CudaSource { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Spec} ({Name})";
}
