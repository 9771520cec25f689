using System;

namespace PolyComGen.Contract;

/// <summary>
/// A spec's CPU kernels on spans, as an object: what <see cref="KernelDescriptor.Cpu"/> carries, so that the CPU
/// backend and the parity checker run any spec's kernels knowing only its descriptor.
/// </summary>
/// <remarks>The semantics are <see cref="IPolyComKernel"/>'s: a segment per call, one partial per parameter slot.</remarks>
public interface ICpuKernels
{
    /// <inheritdoc cref="IPolyComKernel.Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/>
    void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, Span<float> y, ReadOnlySpan<float> parameters);

    /// <inheritdoc cref="IPolyComKernel.Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/>
    void Forward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, Span<double> y, ReadOnlySpan<double> parameters);

    /// <inheritdoc cref="IPolyComKernel.Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/>
    void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgate, ReadOnlySpan<float> parameters, Span<float> partials);

    /// <inheritdoc cref="IPolyComKernel.Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/>
    void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, ReadOnlySpan<double> dy, Span<double> dx, Span<double> dgate, ReadOnlySpan<double> parameters, Span<double> partials);
}
