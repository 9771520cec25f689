using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Backends;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Verification;

/// <summary>
/// The global-memory traffic of a spec's CUDA kernels, counted on the emulated device: for the forward and the
/// backward launch, how many times each tensor's bytes were read and written (the 16-byte loads and stores of the
/// kernels' sweeps; the parameters, partials and reduction are O(rows) and not counted). The floor is each input read
/// once and each output written once (docs/math.md, cost floor); a kernel that sweeps a row k times reads its inputs k
/// times, and its bandwidth ceiling is the floor's transfers over the counted ones.
/// </summary>
public static class KernelTraffic
{
    /// <summary>One tensor's traffic in one direction, in units of the tensor's bytes.</summary>
    /// <param name="Direction">forward or backward.</param>
    /// <param name="Tensor">x, gate, dy, y, dx or dgate.</param>
    /// <param name="Reads">Bytes read over the tensor's bytes (1 at the floor for an input, 0 for an output).</param>
    /// <param name="Writes">Bytes written over the tensor's bytes (1 at the floor for an output, 0 for an input).</param>
    public sealed record Transfer(string Direction, string Tensor, double Reads, double Writes);

    /// <summary>The transfers of one launch of each direction over <paramref name="rows"/> rows of <paramref name="h"/> elements.</summary>
    /// <param name="descriptor">The kernels.</param>
    /// <param name="format">The storage format.</param>
    /// <param name="rows">The rows (all experts' with experts).</param>
    /// <param name="h">The row length.</param>
    /// <param name="expertRows">
    /// For kernels with experts: each expert's rows, in order (summing to <paramref name="rows"/>); the one launch of each
    /// direction runs a row of blocks per expert. Every expert gets even rows when null.
    /// </param>
    /// <remarks>h must make each row a whole number of 16-byte chunks (the kernels then move every element in chunks).</remarks>
    public static IReadOnlyList<Transfer> Measure(KernelDescriptor descriptor, StorageFormat format, long rows, long h, IReadOnlyList<long>? expertRows = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        int experts = descriptor.Experts;
        expertRows ??= experts == 1 ? null : Enumerable.Range(0, experts).Select(e => rows / experts + (e < rows % experts ? 1 : 0)).ToList();
        if (expertRows is not null && (expertRows.Count != experts || expertRows.Sum() != rows))
        {
            throw new ArgumentException($"{descriptor.Name} has {experts} experts: give each one's rows, summing to {rows}.", nameof(expertRows));
        }
        if (h * format.Size % KernelContract.ChunkBytes != 0)
        {
            throw new ArgumentException($"A row of {h} {format} elements is not a whole number of {KernelContract.ChunkBytes}-byte chunks.", nameof(h));
        }
        using var scope = NewDisposeScope();
        ScalarType dtype = BackendTarget.DtypeOf(format);
        var generator = new TorchSharp.torch.Generator(7);
        Tensor Random() => randn([rows, h], generator: generator).to(dtype);
        Tensor x = Random(), dy = Random(), y = empty_like(x), dx = empty_like(x);
        Tensor? gate = descriptor.Gated ? Random() : null, dgate = descriptor.Gated ? empty_like(x) : null;
        int columns = descriptor.ParameterCount;
        // Moderate parameters, so that no statistic overflows and no pass reruns (the rare path, which reads again).
        Tensor parameters = full([experts * columns], 0.25).to(dtype);
        var options = new CudaEmulationOptions();
        Tensor? offsets = expertRows is null ? null : tensor(expertRows.Prepend(0L).Select((_, i) => expertRows.Take(i).Sum()).ToArray(), dtype: ScalarType.Int64);
        // The geometry and rows of blocks the runtime's launch takes for these rows.
        var (geometry, gridRows) = CudaLaunch.Geometry(options.Multiprocessors, descriptor, offsets is null ? null : ExpertRows.Of(descriptor, x, offsets), rows, h, format.Size);
        Tensor partials = empty([geometry.PartialRows * gridRows, columns], ScalarType.Float32), dparameters = empty([experts * columns], dtype);
        ulong Pointer(Tensor? t) => t is null ? 0 : (ulong)TensorMemory.DataPointer(t);
        var buffers = new KernelBuffers(Pointer(x), Pointer(gate), Pointer(dy), Pointer(dx), Pointer(dgate), Pointer(parameters), Pointer(partials),
            Pointer(dparameters), rows, h, geometry.PartialRows, Offsets: Pointer(offsets));
        EmulatedLibrary library = EmulatedDevice.LibraryFor(descriptor);
        ICudaModule module = new EmulatedDevice(options).ModuleFor(descriptor);

        long bytes = rows * h * format.Size;
        var transfers = new List<Transfer>();
        void Count(string direction, (string Name, Tensor? Tensor)[] tensors, Action launch)
        {
            var present = tensors.Where(t => t.Tensor is not null).ToList();
            var counts = library.CountTraffic(present.Select(t => ((IntPtr)(long)Pointer(t.Tensor), bytes)).ToList(), launch);
            transfers.AddRange(present.Select((t, i) => new Transfer(direction, t.Name, counts[i].Read / (double)bytes, counts[i].Written / (double)bytes)));
        }
        Count("forward", [("x", x), ("gate", gate), ("y", y)],
            () => CudaLaunch.LaunchForward(module, format.Contract, descriptor.Gated, geometry, buffers with { Output = Pointer(y) }, gridRows));
        Count("backward", [("x", x), ("gate", gate), ("dy", dy), ("dx", dx), ("dgate", dgate)],
            () => CudaLaunch.LaunchBackward(module, format.Contract, descriptor.Gated, geometry, buffers, gridRows));
        return transfers;
    }

    /// <summary>The floor's transfers (each input read once, each output written once) over the counted ones: the predicted ceiling on a copy's bandwidth.</summary>
    public static double Ceiling(IEnumerable<Transfer> direction)
    {
        var list = direction.ToList();
        double floor = list.Count(t => t.Reads > 0) + list.Count(t => t.Writes > 0);
        double counted = list.Sum(t => t.Reads + t.Writes);
        return counted == 0 ? 1 : floor / counted;
    }
}
