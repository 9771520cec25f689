using System;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// Where <see cref="CudaLaunch"/> finally sends a launch: a real GPU (<see cref="GpuDevice"/>) or the emulated
/// device (<see cref="Emulation.EmulatedDevice"/>). Everything before that step, from the geometry to the
/// argument packing, is shared.
/// </summary>
internal interface ICudaDevice
{
    /// <summary>The multiprocessor count the launch geometry is sized for.</summary>
    int Multiprocessors { get; }

    /// <summary>Makes the device current for the launches made inside the returned scope.</summary>
    IDisposable Enter(Tensor like);

    /// <summary>A new tensor on the device of <paramref name="like"/>; its contents are undefined, as device memory is.</summary>
    Tensor Empty(long[] shape, ScalarType dtype, Tensor like);

    /// <summary>The compiled and loaded kernels of <paramref name="descriptor"/> (compiled once, then cached).</summary>
    ICudaModule ModuleFor(KernelDescriptor descriptor);
}
