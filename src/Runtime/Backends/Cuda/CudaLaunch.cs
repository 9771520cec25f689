using System;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// The launch path of the CUDA kernels, the same on a GPU and on the emulated device: the launch geometry, the
/// dtype dispatch, the output and partials buffers, the arguments packed in the order <see cref="KernelContract"/>
/// defines, then one launch: the forward, or the backward (whose last block reduces its partials). Tensors must be
/// contiguous and already checked.
/// </summary>
internal static class CudaLaunch
{
    /// <summary>y for contiguous x (and gate) and parameters on <paramref name="device"/>.</summary>
    public static Tensor Forward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters)
    {
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor y = device.Empty(x.shape, x.dtype, x);
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, rows, h, (int)x.element_size(), device.Multiprocessors, descriptor.Groups);
        if (geometry.Blocks > 0)
        {
            var buffers = new KernelBuffers(Pointer(x), Pointer(gate), 0, Pointer(y), 0, Pointer(parameters), 0, 0, rows, h, geometry.PartialRows);
            LaunchForward(device.ModuleFor(descriptor), Storage(x.dtype), descriptor.Gated, geometry, buffers);
        }
        return y;
    }

    /// <summary>The gradients of x, the parameters (and the gate) for contiguous x, dy (and gate) of one shape.</summary>
    public static PolyComGradients Backward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters)
    {
        int columns = descriptor.ParameterCount;
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor dx = device.Empty(x.shape, x.dtype, x);
        Tensor? dgate = gate is null ? null : device.Empty(x.shape, x.dtype, x);
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, rows, h, (int)x.element_size(), device.Multiprocessors, descriptor.Groups);
        if (geometry.Blocks == 0)
        {
            return new PolyComGradients(dx, zeros([columns], dtype: x.dtype, device: x.device), dgate);
        }
        Tensor dparameters = device.Empty([columns], x.dtype, x);
        using Tensor partials = device.Empty([geometry.PartialRows, columns], ScalarType.Float32, x);
        var buffers = new KernelBuffers(Pointer(x), Pointer(gate), Pointer(dy), Pointer(dx), Pointer(dgate), Pointer(parameters), Pointer(partials),
            Pointer(dparameters), rows, h, geometry.PartialRows);
        LaunchBackward(device.ModuleFor(descriptor), Storage(x.dtype), descriptor.Gated, geometry, buffers);
        return new PolyComGradients(dx, dparameters, dgate);
    }

    /// <summary>The forward entry point on device pointers.</summary>
    public static void LaunchForward(ICudaModule module, StorageType storage, bool gated, LaunchGeometry geometry, KernelBuffers buffers) =>
        Launch(module, KernelRole.Forward, storage, gated, geometry.Blocks, geometry.Threads, buffers);

    /// <summary>
    /// The backward entry point on device pointers: its last block sums the partials into the parameters' gradient,
    /// counting finished blocks in the module's <see cref="ICudaModule.Counter"/>.
    /// </summary>
    public static void LaunchBackward(ICudaModule module, StorageType storage, bool gated, LaunchGeometry geometry, KernelBuffers buffers) =>
        Launch(module, KernelRole.Backward, storage, gated, geometry.Blocks, geometry.Threads, buffers with { Counter = module.Counter });

    /// <summary>The storage type of a dtype, or null when the CUDA kernels do not support it.</summary>
    public static StorageType? StorageOf(ScalarType dtype) => KernelContract.StorageOf(dtype.ToString());

    // One entry point, its arguments packed in the contract's order.
    private static void Launch(ICudaModule module, KernelRole role, StorageType storage, bool gated, uint blocks, uint threads, KernelBuffers buffers)
    {
        KernelParameter[] parameters = KernelContract.Parameters(role, gated);
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
                _ => throw new ArgumentOutOfRangeException(nameof(parameters), parameter.Kind, "Unknown kernel parameter."),
            };
        }
        module.Launch(KernelContract.EntryPoint(role, storage), blocks, threads, arguments);
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
