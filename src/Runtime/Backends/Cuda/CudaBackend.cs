using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// The CUDA backend: runs a spec's generated CUDA kernels on TorchSharp CUDA tensors of float32, bfloat16 or float16.
/// Compiles the translation unit with NVRTC for the device's architecture on first use, loads it into the device's
/// primary context, and launches on the legacy default stream that libtorch uses (<see cref="CudaLaunch"/>).
/// </summary>
public sealed class CudaBackend : IKernelBackend
{
    /// <summary>The backend (devices and compiled modules are cached per device, not here).</summary>
    public static CudaBackend Instance { get; } = new();

    private CudaBackend()
    {
    }

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

    /// <inheritdoc/>
    public string Name => "CUDA";

    /// <summary>CUDA tensors of a storage dtype, with a driver and NVRTC to run them.</summary>
    /// <inheritdoc/>
    /// <exception cref="CudaNotAvailableException">No CUDA driver or NVRTC could be loaded.</exception>
    public void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        InputChecks.RequireNotNull(descriptor, x);
        InputChecks.CheckCudaDtype(descriptor, x);
        if (!IsAvailable(out string reason))
        {
            throw new CudaNotAvailableException($"{descriptor.Name} got a tensor on {x.device}, but {reason}.");
        }
        InputChecks.CheckShapeAndParameters(descriptor, x, gate, parameters, experts);
    }

    /// <inheritdoc/>
    public Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null) =>
        CudaLaunch.Forward(GpuDevice.For(x.device_index), descriptor, x.contiguous(), gate?.contiguous(), parameters.contiguous(), experts);

    /// <inheritdoc/>
    public PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null) =>
        CudaLaunch.Backward(GpuDevice.For(x.device_index), descriptor, x.contiguous(), gate?.contiguous(), dy.contiguous(), parameters.contiguous(), experts);
}
