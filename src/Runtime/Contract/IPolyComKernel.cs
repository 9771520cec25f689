using System;
using static TorchSharp.torch;

namespace PolyComGen.Contract;

/// <summary>
/// The kernels the generator emits for each <c>[PolyCom]</c> class: fused CPU kernels on spans, and the same plans
/// as eager TorchSharp ops. The runtime's CPU backend splits a tensor into segments, runs these on them across
/// threads, and sums the gradient partials in a fixed order.
/// </summary>
/// <remarks>
/// A segment is one row of the last dimension when <see cref="KernelDescriptor.Rowwise"/> (norm), and any run of
/// contiguous elements otherwise. Arithmetic and accumulation are in the element type (float32 or float64).
/// <c>gate</c> and <c>dgate</c> are empty unless <see cref="KernelDescriptor.Gated"/>. <c>parameters</c> holds every
/// learnable parameter in one vector, in the slot order of <see cref="KernelDescriptor.ParameterNames"/>.
/// </remarks>
public interface IPolyComKernel
{
    /// <summary>The name, spec, layout and CUDA translation unit of these kernels.</summary>
    static abstract KernelDescriptor Descriptor { get; }

    /// <summary>Writes <c>y</c> for one segment of <c>x</c> (and of the gate).</summary>
    static abstract void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, Span<float> y, ReadOnlySpan<float> parameters);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/>
    static abstract void Forward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, Span<double> y, ReadOnlySpan<double> parameters);

    /// <summary>
    /// Writes <c>dx</c> (and <c>dgate</c>) for one segment, and that segment's gradient partials: <c>partials[i]</c>
    /// for <c>parameters[i]</c>, the slots of <see cref="KernelDescriptor.ParameterNames"/> (a PolyCom's weights, its
    /// bias, then the parameters its declaration names).
    /// </summary>
    static abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgate, ReadOnlySpan<float> parameters, Span<float> partials);

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/>
    static abstract void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, ReadOnlySpan<double> dy, Span<double> dx, Span<double> dgate, ReadOnlySpan<double> parameters, Span<double> partials);

    /// <summary>
    /// The activation as eager TorchSharp ops: the paper's formula, as written, for reference and comparison;
    /// autograd differentiates it. <paramref name="gate"/> is null unless the spec is gated.
    /// </summary>
    static abstract Tensor EagerForward(Tensor x, Tensor? gate, Tensor parameters);

    /// <summary>
    /// The fused backward's closed forms as eager, differentiable ops: the gradients of x, the parameter vector (and
    /// the gate) for the incoming gradient <paramref name="dy"/>, with a graph of their own when grad mode is on.
    /// </summary>
    static abstract (Tensor Dx, Tensor Dparameters, Tensor? Dgate) EagerBackward(Tensor x, Tensor? gate, Tensor dy, Tensor parameters);
}
