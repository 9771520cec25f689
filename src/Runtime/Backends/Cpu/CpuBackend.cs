using System;
using System.Linq;
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
    public void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        InputChecks.RequireNotNull(descriptor, x);
        if (x.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new ArgumentException($"{descriptor.Name}: the CPU backend runs on CPU tensors, but the input is on {x.device}.", nameof(x));
        }
        if (!KernelContract.CpuTypes.Contains(x.dtype.ToString()))
        {
            throw new ArgumentException($"{descriptor.Name}: input dtype {x.dtype} is not supported on the CPU; supported dtypes are {KernelContract.Listed(KernelContract.CpuTypes)}.", nameof(x));
        }
        InputChecks.CheckShapeAndParameters(descriptor, x, gate, parameters, experts);
    }

    /// <inheritdoc/>
    public Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        x = x.contiguous();
        gate = gate?.contiguous();
        Tensor y = empty_like(x);
        if (x.numel() == 0)
        {
            return y;
        }
        var memory = new Memory(x, gate, null, y, null);
        var segments = ExpertSegments.Of(descriptor, x, experts);
        if (x.dtype == ScalarType.Float32)
        {
            Run<float>(descriptor, memory, segments, TensorMemory.ToArray<float>(parameters), partials: null);
        }
        else
        {
            Run<double>(descriptor, memory, segments, TensorMemory.ToArray<double>(parameters), partials: null);
        }
        return y;
    }

    /// <inheritdoc/>
    public PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null)
    {
        x = x.contiguous();
        gate = gate?.contiguous();
        dy = dy.contiguous();
        Tensor dx = empty_like(x);
        Tensor? dgate = gate is null ? null : empty_like(x);
        var memory = new Memory(x, gate, dy, dx, dgate);
        var segments = ExpertSegments.Of(descriptor, x, experts);
        int slots = segments.Columns;
        var sums = new double[(experts is null ? 1 : experts.Experts) * descriptor.ParameterCount];
        if (x.dtype == ScalarType.Float32)
        {
            var partials = new float[checked((int)segments.Count * slots)];
            Run<float>(descriptor, memory, segments, TensorMemory.ToArray<float>(parameters), partials);
            Reduce(partials, sums, segments);
        }
        else
        {
            var partials = new double[checked((int)segments.Count * slots)];
            Run<double>(descriptor, memory, segments, TensorMemory.ToArray<double>(parameters), partials);
            Reduce(partials, sums, segments);
        }
        ScalarType dtype = x.dtype;
        Tensor dparameters = tensor(sums, dtype: ScalarType.Float64).to_type(dtype);
        return new PolyComGradients(dx, dparameters, dgate);
    }

    // Fixed-order reduction of the partials: segment 0, 1, 2, ... whatever thread computed them, each into its expert's
    // and group's slots.
    private static void Reduce<T>(T[] partials, double[] sums, ExpertSegments segments) where T : unmanaged
    {
        int columns = segments.Columns;
        for (long s = 0; s < segments.Count; s++)
        {
            int offset = segments[s].ParameterOffset;
            for (int k = 0; k < columns; k++)
            {
                T partial = partials[s * columns + k];
                sums[offset + k] += typeof(T) == typeof(float) ? (float)(object)partial : (double)(object)partial;
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
    private static void Run<T>(KernelDescriptor descriptor, Memory memory, ExpertSegments segments, T[] parameters, T[]? partials) where T : unmanaged
    {
        int slots = segments.Columns;
        ICpuKernels cpu = descriptor.Cpu;
        ForEachRange(segments.Count, segments.TotalElements, (first, end) =>
        {
            for (long s = first; s < end; s++)
            {
                var (start, length, parameterOffset) = segments[s];
                ReadOnlySpan<T> groupParameters = parameters.AsSpan(parameterOffset, slots);
                Span<T> x = TensorMemory.Elements<T>(memory.XData, start, length);
                Span<T> gate = memory.GateData == IntPtr.Zero ? default : TensorMemory.Elements<T>(memory.GateData, start, length);
                Span<T> output = TensorMemory.Elements<T>(memory.OutData, start, length);
                if (partials is null)
                {
                    Forward(cpu, x, gate, output, groupParameters);
                }
                else
                {
                    Span<T> dy = TensorMemory.Elements<T>(memory.DyData, start, length);
                    Span<T> dgate = memory.GateOutData == IntPtr.Zero ? default : TensorMemory.Elements<T>(memory.GateOutData, start, length);
                    Backward(cpu, x, gate, dy, output, dgate, groupParameters, partials.AsSpan(checked((int)(s * slots)), slots));
                }
            }
        });
    }

    private static void Forward<T>(ICpuKernels cpu, Span<T> x, Span<T> gate, Span<T> y, ReadOnlySpan<T> parameters) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            cpu.Forward(F(x), F(gate), F(y), MemoryMarshal.Cast<T, float>(parameters));
        }
        else
        {
            cpu.Forward(D(x), D(gate), D(y), MemoryMarshal.Cast<T, double>(parameters));
        }
    }

    private static void Backward<T>(ICpuKernels cpu, Span<T> x, Span<T> gate, Span<T> dy, Span<T> dx, Span<T> dgate, ReadOnlySpan<T> parameters, Span<T> partials)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            cpu.Backward(F(x), F(gate), F(dy), F(dx), F(dgate), MemoryMarshal.Cast<T, float>(parameters), F(partials));
        }
        else
        {
            cpu.Backward(D(x), D(gate), D(dy), D(dx), D(dgate), MemoryMarshal.Cast<T, double>(parameters), D(partials));
        }
    }

    private static Span<float> F<T>(Span<T> span) where T : unmanaged => MemoryMarshal.Cast<T, float>(span);

    private static Span<double> D<T>(Span<T> span) where T : unmanaged => MemoryMarshal.Cast<T, double>(span);

    private static void ForEachRange(long count, long totalElements, Action<long, long> body)
    {
        int threads = EffectiveThreads;
        if (threads == 1 || totalElements < ParallelThreshold || count == 1)
        {
            body(0, count);
            return;
        }
        // A few ranges per thread balance uneven progress; the split never changes what a segment computes.
        long ranges = Math.Min(count, threads * 4L);
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = threads }, r =>
            body(count * r / ranges, count * (r + 1) / ranges));
    }
}
