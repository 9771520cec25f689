using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cpu;

/// <summary>
/// The CPU backend: runs a spec's generated CPU kernels (<see cref="KernelDescriptor.Cpu"/>) over whole float32 or
/// float64 tensors: splits them into segments (rows for norm, fixed blocks
/// of <see cref="KernelContract.ElementwiseSegmentLength"/> elements otherwise), spreads the segments over threads,
/// and sums the per-segment gradient partials in segment order, in float64, so gradients are bitwise the same for
/// every thread count and every run.
/// </summary>
public sealed class CpuBackend : IKernelBackend
{
    /// <summary>The backend (it holds no state of its own).</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend()
    {
    }

    /// <inheritdoc/>
    public string Name => "CPU";

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

    /// <summary>Float32 or float64 CPU tensors, of the parameters' dtype.</summary>
    /// <inheritdoc/>
    public void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor weight, Tensor bias)
    {
        InputChecks.RequireNotNull(descriptor, x);
        if (x.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new ArgumentException($"{descriptor.Name}: the CPU backend runs on CPU tensors, but the input is on {x.device}.", nameof(x));
        }
        if (x.dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentException($"{descriptor.Name}: input dtype {x.dtype} is not supported on the CPU; supported dtypes are Float32 and Float64.", nameof(x));
        }
        InputChecks.CheckShapeAndParameters(descriptor, x, gate, weight, bias);
    }

    /// <inheritdoc/>
    public Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor weight, Tensor bias)
    {
        x = x.contiguous();
        gate = gate?.contiguous();
        Tensor y = empty_like(x);
        if (x.numel() == 0)
        {
            return y;
        }
        var memory = new Memory(x, gate, null, y, null);
        if (x.dtype == ScalarType.Float32)
        {
            Run<float>(descriptor, memory, TensorMemory.ToArray<float>(weight), TensorMemory.ToArray<float>(bias)[0], partials: null);
        }
        else
        {
            Run<double>(descriptor, memory, TensorMemory.ToArray<double>(weight), TensorMemory.ToArray<double>(bias)[0], partials: null);
        }
        return y;
    }

    /// <inheritdoc/>
    public PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor weight, Tensor bias)
    {
        x = x.contiguous();
        gate = gate?.contiguous();
        dy = dy.contiguous();
        int order = descriptor.Order, columns = KernelContract.PartialColumns(order);
        Tensor dx = empty_like(x);
        Tensor? dgate = gate is null ? null : empty_like(x);
        var memory = new Memory(x, gate, dy, dx, dgate);
        Segments layout = Segments.Of(descriptor, x);
        var sums = new double[columns];
        if (x.dtype == ScalarType.Float32)
        {
            var partials = new float[checked(layout.Count * columns)];
            Run<float>(descriptor, memory, TensorMemory.ToArray<float>(weight), TensorMemory.ToArray<float>(bias)[0], partials);
            Reduce(partials, sums, layout.Count);
        }
        else
        {
            var partials = new double[checked(layout.Count * columns)];
            Run<double>(descriptor, memory, TensorMemory.ToArray<double>(weight), TensorMemory.ToArray<double>(bias)[0], partials);
            Reduce(partials, sums, layout.Count);
        }
        ScalarType dtype = x.dtype;
        Tensor dweight = tensor(sums.AsSpan(0, order).ToArray(), dtype: ScalarType.Float64).to_type(dtype);
        Tensor dbias = tensor(new[] { sums[order] }, dtype: ScalarType.Float64).to_type(dtype);
        return new PolyComGradients(dx, dweight, dbias, dgate);
    }

    // Fixed-order reduction of the partials: segment 0, 1, 2, ... whatever thread computed them.
    private static void Reduce<T>(T[] partials, double[] sums, int segments) where T : unmanaged
    {
        int columns = sums.Length;
        for (int s = 0; s < segments; s++)
        {
            for (int k = 0; k < columns; k++)
            {
                sums[k] += typeof(T) == typeof(float) ? (float)(object)partials[s * columns + k] : (double)(object)partials[s * columns + k];
            }
        }
    }

    /// <summary>The data pointers of one call; absent tensors are null (the kernels see empty spans).</summary>
    private readonly record struct Memory(Tensor X, Tensor? Gate, Tensor? Dy, Tensor Out, Tensor? GateOut)
    {
        public IntPtr XData { get; } = TensorMemory.DataPointer(X);
        public IntPtr GateData { get; } = Gate is null ? IntPtr.Zero : TensorMemory.DataPointer(Gate);
        public IntPtr DyData { get; } = Dy is null ? IntPtr.Zero : TensorMemory.DataPointer(Dy);
        public IntPtr OutData { get; } = TensorMemory.DataPointer(Out);
        public IntPtr GateOutData { get; } = GateOut is null ? IntPtr.Zero : TensorMemory.DataPointer(GateOut);
    }

    // The forward (partials null) or the backward over every segment.
    private static void Run<T>(KernelDescriptor descriptor, Memory memory, T[] weight, T bias, T[]? partials) where T : unmanaged
    {
        Segments layout = Segments.Of(descriptor, memory.X);
        int columns = KernelContract.PartialColumns(descriptor.Order);
        ICpuKernels cpu = descriptor.Cpu;
        ForEachRange(layout, (first, end) =>
        {
            for (long s = first; s < end; s++)
            {
                var (start, length) = layout[s];
                Span<T> x = TensorMemory.Elements<T>(memory.XData, start, length);
                Span<T> gate = memory.GateData == IntPtr.Zero ? default : TensorMemory.Elements<T>(memory.GateData, start, length);
                Span<T> output = TensorMemory.Elements<T>(memory.OutData, start, length);
                if (partials is null)
                {
                    Forward(cpu, x, gate, output, weight, bias);
                }
                else
                {
                    Span<T> dy = TensorMemory.Elements<T>(memory.DyData, start, length);
                    Span<T> dgate = memory.GateOutData == IntPtr.Zero ? default : TensorMemory.Elements<T>(memory.GateOutData, start, length);
                    Backward(cpu, x, gate, dy, output, dgate, weight, bias, partials.AsSpan(checked((int)(s * columns)), columns));
                }
            }
        });
    }

    private static void Forward<T>(ICpuKernels cpu, Span<T> x, Span<T> gate, Span<T> y, T[] weight, T bias) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            cpu.Forward(F(x), F(gate), F(y), MemoryMarshal.Cast<T, float>(weight), (float)(object)bias);
        }
        else
        {
            cpu.Forward(D(x), D(gate), D(y), MemoryMarshal.Cast<T, double>(weight), (double)(object)bias);
        }
    }

    private static void Backward<T>(ICpuKernels cpu, Span<T> x, Span<T> gate, Span<T> dy, Span<T> dx, Span<T> dgate, T[] weight, T bias, Span<T> partials)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            cpu.Backward(F(x), F(gate), F(dy), F(dx), F(dgate), MemoryMarshal.Cast<T, float>(weight), (float)(object)bias, F(partials));
        }
        else
        {
            cpu.Backward(D(x), D(gate), D(dy), D(dx), D(dgate), MemoryMarshal.Cast<T, double>(weight), (double)(object)bias, D(partials));
        }
    }

    private static Span<float> F<T>(Span<T> span) where T : unmanaged => MemoryMarshal.Cast<T, float>(span);

    private static Span<double> D<T>(Span<T> span) where T : unmanaged => MemoryMarshal.Cast<T, double>(span);

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
        public static Segments Of(KernelDescriptor descriptor, Tensor x)
        {
            long total = x.numel();
            int length = descriptor.Rowwise
                ? checked((int)x.shape[^1])
                : (int)Math.Min(KernelContract.ElementwiseSegmentLength, total);
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
