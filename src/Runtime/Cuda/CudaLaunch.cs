using System;
using System.Linq;
using PolyComGen.Kernels;
using static TorchSharp.torch;

namespace PolyComGen.Cuda;

/// <summary>
/// The launch path of the CUDA kernels, the same on a GPU and on the emulated device: the launch geometry, the
/// dtype dispatch, the output and partials buffers, the argument packing, then the forward, or the backward
/// followed by the reduction of its partials. Tensors must be contiguous and already checked.
/// </summary>
internal static class CudaLaunch
{
    /// <summary>Computes y for contiguous x, weight and bias on <paramref name="device"/>.</summary>
    public static Tensor Forward(ICudaDevice device, KernelDescriptor kernels, Tensor x, Tensor weight, Tensor bias)
    {
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor y = device.Empty(x.shape, x.dtype, x);
        LaunchGeometry geometry = LaunchGeometry.For(kernels.Rowwise, rows, h, (int)x.element_size(), device.Multiprocessors);
        if (geometry.Blocks > 0)
        {
            LaunchForward(device.ModuleFor(kernels), Suffix(x.dtype), geometry, Pointer(x), Pointer(y), Pointer(weight), Pointer(bias), rows, h);
        }
        return y;
    }

    /// <summary>Computes dx, dweight and dbias for contiguous x and dy of the same shape, and weight.</summary>
    public static (Tensor Dx, Tensor Dweight, Tensor Dbias) Backward(ICudaDevice device, KernelDescriptor kernels, Tensor x, Tensor dy, Tensor weight)
    {
        int order = kernels.Order;
        var (rows, h) = RowsOf(x);
        using IDisposable scope = device.Enter(x);
        Tensor dx = device.Empty(x.shape, x.dtype, x);
        LaunchGeometry geometry = LaunchGeometry.For(kernels.Rowwise, rows, h, (int)x.element_size(), device.Multiprocessors);
        if (geometry.Blocks == 0)
        {
            return (dx, zeros([order], dtype: x.dtype, device: x.device), zeros([1], dtype: x.dtype, device: x.device));
        }
        Tensor dweight = device.Empty([order], x.dtype, x);
        Tensor dbias = device.Empty([1], x.dtype, x);
        using Tensor partials = device.Empty([geometry.PartialRows, order + 1], ScalarType.Float32, x);
        LaunchBackward(device.ModuleFor(kernels), Suffix(x.dtype), geometry, order,
            Pointer(x), Pointer(dy), Pointer(dx), Pointer(weight), Pointer(partials), Pointer(dweight), Pointer(dbias), rows, h);
        return (dx, dweight, dbias);
    }

    /// <summary>polycom_forward_{suffix} on device pointers.</summary>
    public static void LaunchForward(ICudaModule module, string suffix, LaunchGeometry geometry, ulong x, ulong y, ulong weight, ulong bias, long rows, long h)
    {
        using var arguments = new KernelArguments(6).Add(x).Add(y).Add(weight).Add(bias).Add((ulong)rows).Add((int)h);
        module.Launch("polycom_forward_" + suffix, geometry.Blocks, LaunchGeometry.ThreadsPerBlock, arguments);
    }

    /// <summary>
    /// polycom_backward_{suffix} then polycom_reduce_{suffix} on device pointers; <paramref name="partials"/> holds
    /// geometry.PartialRows x (order + 1) floats.
    /// </summary>
    public static void LaunchBackward(
        ICudaModule module, string suffix, LaunchGeometry geometry, int order,
        ulong x, ulong dy, ulong dx, ulong weight, ulong partials, ulong dweight, ulong dbias, long rows, long h)
    {
        using (var arguments = new KernelArguments(7).Add(x).Add(dy).Add(dx).Add(weight).Add(partials).Add((ulong)rows).Add((int)h))
        {
            module.Launch("polycom_backward_" + suffix, geometry.Blocks, LaunchGeometry.ThreadsPerBlock, arguments);
        }
        using (var arguments = new KernelArguments(4).Add(partials).Add((ulong)geometry.PartialRows).Add(dweight).Add(dbias))
        {
            module.Launch("polycom_reduce_" + suffix, (uint)(order + 1), LaunchGeometry.ThreadsPerBlock, arguments);
        }
    }

    /// <summary>The storage dtype suffixes of the CUDA kernels.</summary>
    public static readonly string[] Suffixes = ["f32", "bf16", "f16"];

    /// <summary>Every entry point of a translation unit: forward, backward and reduce for each storage dtype.</summary>
    public static readonly string[] EntryPoints =
        [.. Suffixes.SelectMany(s => new[] { "polycom_forward_" + s, "polycom_backward_" + s, "polycom_reduce_" + s })];

    /// <summary>The CUDA kernel name suffix of a storage dtype, or null when the CUDA kernels do not support it.</summary>
    public static string? DtypeSuffix(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "f32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "f16",
        _ => null,
    };

    private static string Suffix(ScalarType dtype) =>
        DtypeSuffix(dtype) ?? throw new ArgumentException($"No CUDA kernels for {dtype}.", nameof(dtype));

    private static (long Rows, long H) RowsOf(Tensor x)
    {
        long h = x.dim() == 0 ? 1 : x.shape[^1];
        return (h == 0 ? 0 : x.numel() / h, h);
    }

    private static ulong Pointer(Tensor tensor) => (ulong)TensorMemory.DataPointer(tensor);
}
