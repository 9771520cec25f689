using System;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>
/// The emulated CUDA device as a backend: a spec's CUDA translation unit, unchanged, compiled by the host C++
/// compiler (g++ or clang++, or <c>$POLYCOMGEN_CXX</c>) and launched on CPU tensors of float32, bfloat16 or float16
/// through the same launch path as on a GPU (<see cref="CudaLaunch"/>); only the final launch differs. Threads of a
/// block run as fibers, so barriers, shared memory and warp shuffles behave as on the hardware.
/// </summary>
/// <param name="options">The schedule and the emulated device's size; the defaults when null.</param>
public sealed class EmulatedCudaBackend(CudaEmulationOptions? options = null) : IKernelBackend
{
    private readonly CudaEmulationOptions options = options ?? new CudaEmulationOptions();

    /// <summary>Whether the emulated device can run here: a host C++ compiler was found (Linux).</summary>
    public static bool IsAvailable(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "the emulated CUDA device runs on Linux only";
            return false;
        }
        return HostCompiler.TryFind(out reason) is not null;
    }

    /// <inheritdoc/>
    public string Name => "emulated CUDA";

    /// <summary>CPU tensors in one of the CUDA kernels' storage dtypes, with a host compiler to run them.</summary>
    /// <inheritdoc/>
    /// <exception cref="HostCompilerNotFoundException">No host C++ compiler was found.</exception>
    public void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        InputChecks.RequireNotNull(descriptor, x);
        if (x.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new ArgumentException($"{descriptor.Name}: the emulated CUDA device runs on CPU tensors, but the input is on {x.device}.", nameof(x));
        }
        InputChecks.CheckCudaDtype(descriptor, x);
        InputChecks.CheckShapeAndParameters(descriptor, x, gate, parameters, experts);
        if (!IsAvailable(out string reason))
        {
            throw new HostCompilerNotFoundException(reason);
        }
    }

    /// <inheritdoc/>
    public Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null)
    {
        using var noGrad = no_grad();
        return CudaLaunch.Forward(new EmulatedDevice(options), descriptor, x.contiguous(), gate?.contiguous(), parameters.contiguous(), experts);
    }

    /// <inheritdoc/>
    public PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null)
    {
        using var noGrad = no_grad();
        return CudaLaunch.Backward(new EmulatedDevice(options), descriptor, x.contiguous(), gate?.contiguous(), dy.contiguous(), parameters.contiguous(), experts);
    }
}
