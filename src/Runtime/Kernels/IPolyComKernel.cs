using System;

namespace PolyComGen.Kernels;

/// <summary>
/// The fused CPU kernels of one PolyCom spec, implemented by the code that the PolyComGen generator emits
/// for each <c>[PolyCom]</c> class. The runtime (<see cref="CpuKernelRunner"/>) splits a tensor into
/// segments, runs these on them across threads, and reduces the gradient partials in a fixed order.
/// </summary>
/// <remarks>
/// A segment is one row of the last dimension when <see cref="KernelDescriptor.Rowwise"/> (Norm), and any run
/// of contiguous elements otherwise. Arithmetic and accumulation are in the storage type (float32 or float64).
/// </remarks>
public interface IPolyComKernel
{
    /// <summary>The name, spec, layout and CUDA translation unit of these kernels.</summary>
    static abstract KernelDescriptor Descriptor { get; }

    /// <summary>Writes <c>y</c> for one segment of <c>x</c>.</summary>
    static abstract void Forward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, float bias);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, float)"/>
    static abstract void Forward(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> weight, double bias);

    /// <summary>
    /// Writes <c>dx</c> for one segment, and that segment's gradient partials: <c>partials[i]</c> for
    /// <c>weight[i]</c> (i &lt; Order) and <c>partials[Order]</c> for <c>bias</c>.
    /// </summary>
    static abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<float> weight, Span<float> partials);

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/>
    static abstract void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx, ReadOnlySpan<double> weight, Span<double> partials);
}
