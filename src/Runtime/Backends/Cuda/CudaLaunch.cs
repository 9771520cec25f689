using System;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// The launch path of the CUDA kernels, the same on a GPU and on the emulated device: the launch geometry, the
/// dtype dispatch, the output and partials buffers, the arguments packed in the order <see cref="KernelContract"/>
/// defines, then one launch: the forward, or the backward (whose last block reduces its partials), with experts on a
/// row of blocks per expert. Tensors must be contiguous and already checked.
/// </summary>
internal static class CudaLaunch
{
    /// <summary>
    /// y for contiguous x (and gate) and parameters on <paramref name="device"/>: one launch; with
    /// <paramref name="experts"/>, a row of blocks per expert, each on its rows with its parameter vector.
    /// </summary>
    public static Tensor Forward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor y = device.Empty(x.shape, x.dtype, x);
        var (geometry, gridRows) = Geometry(device.Multiprocessors, descriptor, experts, rows, h, x.element_size());
        if (geometry.Blocks > 0)
        {
            using Tensor? offsets = experts?.OffsetsOn(x.device);
            var buffers = new KernelBuffers(Pointer(x), Pointer(gate), 0, Pointer(y), 0, Pointer(parameters), 0, 0, rows, h, geometry.PartialRows, Offsets: Pointer(offsets));
            LaunchForward(device.ModuleFor(descriptor), Storage(x.dtype), descriptor.Gated, geometry, buffers, gridRows);
        }
        return y;
    }

    /// <summary>
    /// The gradients of x, the parameters (and the gate) for contiguous x, dy (and gate) of one shape: one launch, whose
    /// last block sums the partials; with <paramref name="experts"/>, a row of blocks per expert and a gradient vector per
    /// expert (zero for an expert without rows).
    /// </summary>
    public static PolyComGradients Backward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null)
    {
        int columns = descriptor.ParameterCount;
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor dx = device.Empty(x.shape, x.dtype, x);
        Tensor? dgate = gate is null ? null : device.Empty(x.shape, x.dtype, x);
        var (geometry, gridRows) = Geometry(device.Multiprocessors, descriptor, experts, rows, h, x.element_size());
        long vectors = (long)gridRows * columns;
        if (geometry.Blocks == 0 || geometry.PartialRows == 0)
        {
            return new PolyComGradients(dx, zeros([vectors], dtype: x.dtype, device: x.device), dgate);
        }
        Tensor dparameters = device.Empty([vectors], x.dtype, x); // the last block writes every expert's, rows or none
        using Tensor partials = device.Empty([(long)geometry.PartialRows * gridRows, columns], ScalarType.Float32, x);
        using Tensor? offsets = experts?.OffsetsOn(x.device);
        var buffers = new KernelBuffers(Pointer(x), Pointer(gate), Pointer(dy), Pointer(dx), Pointer(dgate), Pointer(parameters), Pointer(partials), Pointer(dparameters),
            rows, h, geometry.PartialRows, Offsets: Pointer(offsets));
        LaunchBackward(device.ModuleFor(descriptor), Storage(x.dtype), descriptor.Gated, geometry, buffers, gridRows);
        return new PolyComGradients(dx, dparameters, dgate);
    }

    /// <summary>
    /// The launch's geometry and its rows of blocks on a device of <paramref name="multiprocessors"/>: for all rows, or
    /// with <paramref name="experts"/> for the busiest expert's rows, once per expert.
    /// </summary>
    public static (LaunchGeometry Geometry, uint GridRows) Geometry(int multiprocessors, KernelDescriptor descriptor, ExpertRows? experts, long rows, long h, long elementSize)
    {
        long busiest = experts is null ? rows : experts.Busiest;
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, busiest, h, (int)elementSize, multiprocessors, descriptor.Groups);
        return experts is null ? (geometry, 1u) : (geometry, KernelContract.ExpertGrid(geometry.Blocks, experts.Experts).Y);
    }

    // A pointer moved by an offset; a null pointer (an absent gate, an empty parameter vector) stays null.
    private static ulong Offset(ulong pointer, ulong offset) => pointer == 0 ? 0 : pointer + offset;

    /// <summary>The forward entry point on device pointers, on <paramref name="gridRows"/> rows of blocks (one per expert).</summary>
    public static void LaunchForward(ICudaModule module, StorageType storage, bool gated, LaunchGeometry geometry, KernelBuffers buffers, uint gridRows = 1) =>
        Launch(module, KernelRole.Forward, storage, gated, geometry.Blocks, geometry.Threads, buffers, gridRows);

    /// <summary>
    /// The backward entry point on device pointers: its last block sums the partials into the parameters' gradient,
    /// counting finished blocks in the module's <see cref="ICudaModule.Counter"/>.
    /// </summary>
    public static void LaunchBackward(ICudaModule module, StorageType storage, bool gated, LaunchGeometry geometry, KernelBuffers buffers, uint gridRows = 1) =>
        Launch(module, KernelRole.Backward, storage, gated, geometry.Blocks, geometry.Threads, buffers with { Counter = module.Counter }, gridRows);

    /// <summary>The storage type of a dtype, or null when the CUDA kernels do not support it.</summary>
    public static StorageType? StorageOf(ScalarType dtype) => KernelContract.StorageOf(dtype.ToString());

    // One entry point, its arguments packed in the contract's order.
    private static void Launch(ICudaModule module, KernelRole role, StorageType storage, bool gated, uint blocks, uint threads, KernelBuffers buffers, uint gridRows)
    {
        KernelParameter[] parameters = KernelContract.Parameters(role, gated, experts: buffers.Offsets != 0);
        using var arguments = new KernelArguments(parameters.Length);
        foreach (KernelParameter parameter in parameters)
        {
            _ = parameter.Kind switch
            {
                ParameterKind.Input => arguments.Add(buffers.X),
                ParameterKind.Gate => arguments.Add(buffers.Gate),
                ParameterKind.Upstream => arguments.Add(buffers.Dy),
                ParameterKind.Output or ParameterKind.InputGradient => arguments.Add(buffers.Output),
                ParameterKind.GateGradient => arguments.Add(buffers.GateGradient),
                ParameterKind.Parameters => arguments.Add(buffers.Parameters),
                ParameterKind.PartialsOut or ParameterKind.PartialsIn => arguments.Add(buffers.Partials),
                ParameterKind.Rows => arguments.Add((ulong)buffers.Rows),
                ParameterKind.Width => arguments.Add(checked((int)buffers.Width)),
                ParameterKind.PartialRows => arguments.Add((ulong)buffers.PartialRows),
                ParameterKind.ParameterGradient => arguments.Add(buffers.ParameterGradient),
                ParameterKind.Counter => arguments.Add(buffers.Counter),
                ParameterKind.Offsets => arguments.Add(buffers.Offsets),
                _ => throw new ArgumentOutOfRangeException(nameof(parameters), parameter.Kind, "Unknown kernel parameter."),
            };
        }
        module.Launch(KernelContract.EntryPoint(role, storage), blocks, threads, arguments, gridRows);
    }

    private static StorageType Storage(ScalarType dtype) =>
        StorageOf(dtype) ?? throw new ArgumentException($"No CUDA kernels for {dtype}.", nameof(dtype));

    private static (long Rows, long H) RowsOf(Tensor x)
    {
        long h = x.dim() == 0 ? 1 : x.shape[^1];
        return (h == 0 ? 0 : x.numel() / h, h);
    }

    private static ulong Pointer(Tensor? tensor) => tensor is null ? 0 : (ulong)Cpu.TensorMemory.DataPointer(tensor);
}
