using System;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;
using PolyComGen.Verification;

namespace PolyComGen.GpuCheck;

/// <summary>
/// The CUDA kernels on a real GPU as a parity target, without libtorch: inputs encoded in the storage format and
/// copied to device memory, the forward and the backward (then the reduction of its partials) launched through
/// <see cref="CudaLaunch"/>, the outputs copied back and decoded.
/// </summary>
internal sealed class GpuTarget(GpuDevice device) : IParityTarget
{
    public string Name => "CUDA";

    public KernelOutputs Run(KernelDescriptor descriptor, StorageFormat format, ParityInputs inputs)
    {
        int columns = descriptor.ParameterCount, h = inputs.Width;
        long rows = inputs.Rows, n = inputs.X.LongLength;
        ICudaModule module = device.ModuleFor(descriptor);
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, rows, h, format.Size, device.Multiprocessors, descriptor.Groups);
        using var x = Program.DeviceBuffer.From(format.Encode(inputs.X));
        using var dy = Program.DeviceBuffer.From(format.Encode(inputs.Dy));
        using var gate = inputs.Gate is null ? null : Program.DeviceBuffer.From(format.Encode(inputs.Gate));
        // At least one element each: a spec without parameters still passes valid pointers.
        using var parameters = Program.DeviceBuffer.From(format.Encode(columns > 0 ? inputs.Parameters : [0.0]));
        using var y = new Program.DeviceBuffer(n * format.Size);
        using var dx = new Program.DeviceBuffer(n * format.Size);
        using var dgate = inputs.Gate is null ? null : new Program.DeviceBuffer(n * format.Size);
        using var dparameters = new Program.DeviceBuffer(Math.Max(columns, 1) * format.Size);
        using var partials = new Program.DeviceBuffer(geometry.PartialRows * Math.Max(columns, 1) * sizeof(float));

        StorageType storage = format.Contract;
        CudaLaunch.LaunchForward(module, storage, descriptor.Gated, geometry,
            new KernelBuffers(x.Pointer, gate?.Pointer ?? 0, 0, y.Pointer, 0, parameters.Pointer, 0, 0, rows, h, geometry.PartialRows));
        CudaLaunch.LaunchBackward(module, storage, descriptor.Gated, geometry,
            new KernelBuffers(x.Pointer, gate?.Pointer ?? 0, dy.Pointer, dx.Pointer, dgate?.Pointer ?? 0, parameters.Pointer, partials.Pointer,
                dparameters.Pointer, rows, h, geometry.PartialRows));
        return new KernelOutputs(format.Decode(y.Download()), format.Decode(dx.Download()), format.Decode(dparameters.Download())[..columns],
            dgate is null ? null : format.Decode(dgate.Download()));
    }
}
