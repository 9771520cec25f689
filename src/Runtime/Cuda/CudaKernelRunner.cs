using PolyComGen.Kernels;
using static TorchSharp.torch;

namespace PolyComGen.Cuda;

/// <summary>
/// Runs a spec's generated CUDA kernels on TorchSharp CUDA tensors: compiles the translation unit with NVRTC
/// for the device's architecture on first use, loads it into the device's primary context, and launches on the
/// legacy default stream that libtorch uses.
/// </summary>
public static class CudaKernelRunner
{
    /// <summary>Whether kernels can run here: a CUDA driver with a device, and NVRTC.</summary>
    public static bool IsAvailable(out string reason)
    {
        if (CudaDriver.TryLoad(out reason) is null || Nvrtc.TryLoad(out reason) is null)
        {
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>The CUDA kernel name suffix of a storage dtype, or null when the CUDA kernels do not support it.</summary>
    public static string? DtypeSuffix(ScalarType dtype) => CudaLaunch.DtypeSuffix(dtype);

    /// <inheritdoc cref="CpuKernelRunner.Forward{TKernel}"/>
    public static Tensor Forward<TKernel>(Tensor x, Tensor weight, Tensor bias) where TKernel : IPolyComKernel =>
        CudaLaunch.Forward(GpuDevice.For(x.device_index), TKernel.Descriptor, x, weight, bias);

    /// <inheritdoc cref="CpuKernelRunner.Backward{TKernel}"/>
    public static (Tensor dx, Tensor dweight, Tensor dbias) Backward<TKernel>(Tensor x, Tensor dy, Tensor weight) where TKernel : IPolyComKernel =>
        CudaLaunch.Backward(GpuDevice.For(x.device_index), TKernel.Descriptor, x, dy, weight);
}
