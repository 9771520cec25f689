using System;

namespace PolyComGen.Contract;

/// <summary>The CPU kernels of the generated kernel type <typeparamref name="TKernel"/>, as an <see cref="ICpuKernels"/>.</summary>
/// <typeparam name="TKernel">A generated kernel type.</typeparam>
public sealed class CpuKernels<TKernel> : ICpuKernels where TKernel : IPolyComKernel
{
    /// <summary>The one instance; generated descriptors carry it.</summary>
    public static CpuKernels<TKernel> Instance { get; } = new();

    private CpuKernels()
    {
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, Span<float> y, ReadOnlySpan<float> parameters) =>
        TKernel.Forward(x, gate, y, parameters);

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, Span<double> y, ReadOnlySpan<double> parameters) =>
        TKernel.Forward(x, gate, y, parameters);

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gate, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgate, ReadOnlySpan<float> parameters, Span<float> partials) =>
        TKernel.Backward(x, gate, dy, dx, dgate, parameters, partials);

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> gate, ReadOnlySpan<double> dy, Span<double> dx, Span<double> dgate, ReadOnlySpan<double> parameters, Span<double> partials) =>
        TKernel.Backward(x, gate, dy, dx, dgate, parameters, partials);
}
