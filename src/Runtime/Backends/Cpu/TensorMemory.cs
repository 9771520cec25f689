using System;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cpu;

/// <summary>Zero-copy views of a contiguous CPU tensor's elements.</summary>
internal static unsafe class TensorMemory
{
    // LibTorchSharp's export of at::Tensor::data_ptr(): the first element, storage offset included.
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    /// <summary>The address of the first element of <paramref name="tensor"/> (on any device).</summary>
    public static IntPtr DataPointer(Tensor tensor) => THSTensor_data(tensor.Handle);

    /// <summary>Elements [start, start + length) of a contiguous CPU tensor whose element type is <typeparamref name="T"/>.</summary>
    public static Span<T> Elements<T>(IntPtr data, long start, int length) where T : unmanaged =>
        new((T*)data + start, length);

    /// <summary>The elements of a small contiguous CPU tensor, copied.</summary>
    public static T[] ToArray<T>(Tensor tensor) where T : unmanaged
    {
        using Tensor contiguous = tensor.detach().contiguous();
        return Elements<T>(DataPointer(contiguous), 0, checked((int)contiguous.numel())).ToArray();
    }
}
