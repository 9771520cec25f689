using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace PolyComGen.Kernels;

/// <summary>
/// Runs a spec's generated CPU kernels over a whole tensor: splits it into segments (rows for Norm, fixed
/// blocks of <see cref="ElementwiseSegmentLength"/> elements otherwise), spreads the segments over threads,
/// and sums the per-segment gradient partials in segment order, in float64, so gradients are bitwise the
/// same for every thread count and every run.
/// </summary>
public static class CpuKernelRunner
{
    /// <summary>Elements per segment for the elementwise inner functions (a multiple of every SIMD width).</summary>
    public const int ElementwiseSegmentLength = 16384;

    // Below this many elements a call runs on the calling thread: the fork-join would cost more than it saves.
    private const long ParallelThreshold = 1 << 15;

    private static int threadCount;

    /// <summary>
    /// The number of threads the kernels use; 0 (the default) follows <c>torch.get_num_threads()</c>.
    /// Results do not depend on it.
    /// </summary>
    public static int ThreadCount
    {
        get => threadCount;
        set => threadCount = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "ThreadCount must be 0 (follow torch) or positive.");
    }

    private static int EffectiveThreads => threadCount > 0 ? threadCount : Math.Max(1, get_num_threads());

    /// <summary>Computes the forward of <typeparamref name="TKernel"/> for a contiguous CPU <paramref name="x"/>.</summary>
    public static Tensor Forward<TKernel>(Tensor x, Tensor weight, Tensor bias) where TKernel : IPolyComKernel
    {
        Tensor y = empty_like(x);
        if (x.numel() == 0)
        {
            return y;
        }
        if (x.dtype == ScalarType.Float32)
        {
            Forward<TKernel, float>(x, y, TensorMemory.ToArray<float>(weight), TensorMemory.ToArray<float>(bias)[0]);
        }
        else
        {
            Forward<TKernel, double>(x, y, TensorMemory.ToArray<double>(weight), TensorMemory.ToArray<double>(bias)[0]);
        }
        return y;
    }

    /// <summary>
    /// Computes the gradients of x, weight and bias of <typeparamref name="TKernel"/> for contiguous CPU
    /// <paramref name="x"/> and <paramref name="dy"/> of the same shape.
    /// </summary>
    public static (Tensor dx, Tensor dweight, Tensor dbias) Backward<TKernel>(Tensor x, Tensor dy, Tensor weight) where TKernel : IPolyComKernel
    {
        return x.dtype == ScalarType.Float32
            ? Backward<TKernel, float>(x, dy, TensorMemory.ToArray<float>(weight))
            : Backward<TKernel, double>(x, dy, TensorMemory.ToArray<double>(weight));
    }

    private static void Forward<TKernel, T>(Tensor x, Tensor y, T[] weight, T bias) where TKernel : IPolyComKernel where T : unmanaged
    {
        var layout = Segments.Of<TKernel>(x);
        IntPtr xData = TensorMemory.DataPointer(x), yData = TensorMemory.DataPointer(y);
        ForEachRange(layout, (first, end) =>
        {
            for (long s = first; s < end; s++)
            {
                var (start, length) = layout[s];
                ReadOnlySpan<T> xs = TensorMemory.Elements<T>(xData, start, length);
                Span<T> ys = TensorMemory.Elements<T>(yData, start, length);
                if (typeof(T) == typeof(float))
                {
                    TKernel.Forward(MemoryMarshal.Cast<T, float>(xs), MemoryMarshal.Cast<T, float>(ys), MemoryMarshal.Cast<T, float>(weight), (float)(object)bias);
                }
                else
                {
                    TKernel.Forward(MemoryMarshal.Cast<T, double>(xs), MemoryMarshal.Cast<T, double>(ys), MemoryMarshal.Cast<T, double>(weight), (double)(object)bias);
                }
            }
        });
    }

    private static (Tensor, Tensor, Tensor) Backward<TKernel, T>(Tensor x, Tensor dy, T[] weight) where TKernel : IPolyComKernel where T : unmanaged
    {
        int order = TKernel.Descriptor.Order, stride = order + 1;
        Tensor dx = empty_like(x);
        var layout = Segments.Of<TKernel>(x);
        var partials = new T[checked(layout.Count * stride)];
        if (layout.Count > 0)
        {
            IntPtr xData = TensorMemory.DataPointer(x), dyData = TensorMemory.DataPointer(dy), dxData = TensorMemory.DataPointer(dx);
            ForEachRange(layout, (first, end) =>
            {
                for (long s = first; s < end; s++)
                {
                    var (start, length) = layout[s];
                    ReadOnlySpan<T> xs = TensorMemory.Elements<T>(xData, start, length);
                    ReadOnlySpan<T> gs = TensorMemory.Elements<T>(dyData, start, length);
                    Span<T> dxs = TensorMemory.Elements<T>(dxData, start, length);
                    Span<T> ps = partials.AsSpan(checked((int)(s * stride)), stride);
                    if (typeof(T) == typeof(float))
                    {
                        TKernel.Backward(MemoryMarshal.Cast<T, float>(xs), MemoryMarshal.Cast<T, float>(gs), MemoryMarshal.Cast<T, float>(dxs), MemoryMarshal.Cast<T, float>(weight), MemoryMarshal.Cast<T, float>(ps));
                    }
                    else
                    {
                        TKernel.Backward(MemoryMarshal.Cast<T, double>(xs), MemoryMarshal.Cast<T, double>(gs), MemoryMarshal.Cast<T, double>(dxs), MemoryMarshal.Cast<T, double>(weight), MemoryMarshal.Cast<T, double>(ps));
                    }
                }
            });
        }

        // Fixed-order reduction of the partials: segment 0, 1, 2, ... whatever thread computed them.
        var sums = new double[stride];
        for (int s = 0; s < layout.Count; s++)
        {
            for (int k = 0; k < stride; k++)
            {
                sums[k] += ToDouble(partials[s * stride + k]);
            }
        }
        ScalarType dtype = x.dtype;
        Tensor dweight = tensor(sums.AsSpan(0, order).ToArray(), dtype: ScalarType.Float64).to_type(dtype);
        Tensor dbias = tensor(new[] { sums[order] }, dtype: ScalarType.Float64).to_type(dtype);
        return (dx, dweight, dbias);
    }

    private static double ToDouble<T>(T value) => typeof(T) == typeof(float) ? (float)(object)value! : (double)(object)value!;

    private static void ForEachRange(Segments layout, Action<long, long> body)
    {
        int threads = EffectiveThreads;
        if (threads == 1 || layout.TotalElements < ParallelThreshold || layout.Count == 1)
        {
            body(0, layout.Count);
            return;
        }
        // A few ranges per thread balance uneven progress; the split never changes what a segment computes.
        long ranges = Math.Min(layout.Count, threads * 4L);
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = threads }, r =>
            body(layout.Count * r / ranges, layout.Count * (r + 1) / ranges));
    }

    /// <summary>How a tensor splits into segments: equal lengths, except a shorter last one.</summary>
    private readonly record struct Segments(long TotalElements, int SegmentLength, int Count)
    {
        public static Segments Of<TKernel>(Tensor x) where TKernel : IPolyComKernel
        {
            long total = x.numel();
            int length = TKernel.Descriptor.Rowwise
                ? checked((int)x.shape[^1])
                : (int)Math.Min(ElementwiseSegmentLength, total);
            int count = length == 0 ? 0 : checked((int)((total + length - 1) / length));
            return new Segments(total, length, count);
        }

        public (long Start, int Length) this[long segment]
        {
            get
            {
                long start = segment * SegmentLength;
                return (start, (int)Math.Min(SegmentLength, TotalElements - start));
            }
        }
    }
}
