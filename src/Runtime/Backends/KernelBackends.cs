using System;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>Which backend runs a tensor: the one place that decides between the CPU and the CUDA kernels.</summary>
public static class KernelBackends
{
    /// <summary>The backend of <paramref name="x"/>'s device: the CPU kernels for CPU tensors, the CUDA kernels for CUDA tensors.</summary>
    /// <exception cref="ArgumentException">The tensor is on a device the kernels do not run on.</exception>
    public static IKernelBackend For(KernelDescriptor descriptor, Tensor x)
    {
        InputChecks.RequireNotNull(descriptor, x);
        return x.device_type switch
        {
            TorchSharp.DeviceType.CPU => CpuBackend.Instance,
            TorchSharp.DeviceType.CUDA => CudaBackend.Instance,
            _ => throw new ArgumentException($"{descriptor.Name}: input is on {x.device}; PolyCom kernels run on CPU and CUDA tensors.", nameof(x)),
        };
    }
}
