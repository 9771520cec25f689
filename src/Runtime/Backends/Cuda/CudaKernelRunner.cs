using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// Runs a spec's generated CUDA kernels on TorchSharp CUDA tensors: compiles the translation unit with NVRTC for
/// the device's architecture on first use, loads it into the device's primary context, and launches on the legacy
/// default stream that libtorch uses.
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

    /// <summary>y for contiguous CUDA tensors.</summary>
    internal static Tensor Forward<TKernel>(Tensor x, Tensor? gate, Tensor weight, Tensor bias) where TKernel : IPolyComKernel =>
        CudaLaunch.Forward(GpuDevice.For(x.device_index), TKernel.Descriptor, x, gate, weight, bias);

    /// <summary>The gradients for contiguous CUDA tensors.</summary>
    internal static (Tensor Dx, Tensor Dweight, Tensor Dbias, Tensor? Dgate) Backward<TKernel>(Tensor x, Tensor? gate, Tensor dy, Tensor weight, Tensor bias)
        where TKernel : IPolyComKernel =>
        CudaLaunch.Backward(GpuDevice.For(x.device_index), TKernel.Descriptor, x, gate, dy, weight, bias);
}
