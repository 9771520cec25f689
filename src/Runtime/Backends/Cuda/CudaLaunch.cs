using System;
using System.Collections.Generic;
using System.Linq;
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
    /// <summary>
    /// y for contiguous x (and gate) and parameters on <paramref name="device"/>; with <paramref name="experts"/>, a
    /// launch per expert with rows, on its rows and its parameter vector.
    /// </summary>
    public static Tensor Forward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor y = device.Empty(x.shape, x.dtype, x);
        ICudaModule? module = null;
        long elementSize = x.element_size();
        foreach (var (expert, first, count) in Groups(experts, rows))
        {
            LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, count, h, (int)elementSize, device.Multiprocessors, descriptor.Groups);
            if (geometry.Blocks == 0)
            {
                continue;
            }
            ulong rowOffset = (ulong)(first * h * elementSize), parameterOffset = (ulong)((long)expert * descriptor.ParameterCount * elementSize);
            var buffers = new KernelBuffers(Pointer(x) + rowOffset, Offset(Pointer(gate), rowOffset), 0, Pointer(y) + rowOffset, 0,
                Offset(Pointer(parameters), parameterOffset), 0, 0, count, h, geometry.PartialRows);
            LaunchForward(module ??= device.ModuleFor(descriptor), Storage(x.dtype), descriptor.Gated, geometry, buffers);
        }
        return y;
    }

    /// <summary>
    /// The gradients of x, the parameters (and the gate) for contiguous x, dy (and gate) of one shape; with
    /// <paramref name="experts"/>, a launch per expert with rows, each writing its expert's parameter gradient (zero for
    /// an expert without rows).
    /// </summary>
    public static PolyComGradients Backward(ICudaDevice device, KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null)
    {
        int columns = descriptor.ParameterCount;
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor dx = device.Empty(x.shape, x.dtype, x);
        Tensor? dgate = gate is null ? null : device.Empty(x.shape, x.dtype, x);
        long elementSize = x.element_size();
        var launches = Groups(experts, rows)
            .Select(g => (g.Expert, g.First, g.Count, Geometry: LaunchGeometry.For(descriptor.Rowwise, g.Count, h, (int)elementSize, device.Multiprocessors, descriptor.Groups)))
            .ToList();
        int vectors = experts?.Experts ?? 1;
        bool everyVectorWritten = launches.Count(l => l.Geometry.Blocks > 0) == vectors;
        Tensor dparameters = everyVectorWritten ? device.Empty([(long)vectors * columns], x.dtype, x) : zeros([(long)vectors * columns], dtype: x.dtype, device: x.device);
        long partialRows = launches.Select(l => (long)l.Geometry.PartialRows).DefaultIfEmpty(0).Max();
        if (partialRows == 0)
        {
            return new PolyComGradients(dx, dparameters, dgate);
        }
        using Tensor partials = device.Empty([partialRows, columns], ScalarType.Float32, x);
        ICudaModule module = device.ModuleFor(descriptor);
        foreach (var (expert, first, count, geometry) in launches.Where(l => l.Geometry.Blocks > 0))
        {
            ulong rowOffset = (ulong)(first * h * elementSize), parameterOffset = (ulong)((long)expert * columns * elementSize);
            var buffers = new KernelBuffers(Pointer(x) + rowOffset, Offset(Pointer(gate), rowOffset), Pointer(dy) + rowOffset, Pointer(dx) + rowOffset,
                Offset(Pointer(dgate), rowOffset), Offset(Pointer(parameters), parameterOffset), Pointer(partials), Pointer(dparameters) + parameterOffset,
                count, h, geometry.PartialRows);
            LaunchBackward(module, Storage(x.dtype), descriptor.Gated, geometry, buffers);
        }
        return new PolyComGradients(dx, dparameters, dgate);
    }

    // The row groups to launch: every expert's, or all rows as one group.
    private static IEnumerable<(int Expert, long First, long Count)> Groups(ExpertRows? experts, long rows)
    {
        if (experts is null)
        {
            yield return (0, 0, rows);
            yield break;
        }
        for (int e = 0; e < experts.Experts; e++)
        {
            var (first, count) = experts[e];
            yield return (e, first, count);
        }
    }

    // A pointer moved by an offset; a null pointer (an absent gate, an empty parameter vector) stays null.
    private static ulong Offset(ulong pointer, ulong offset) => pointer == 0 ? 0 : pointer + offset;

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
