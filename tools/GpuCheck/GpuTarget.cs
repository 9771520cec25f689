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
        int order = descriptor.Order, h = inputs.Width;
        long rows = inputs.Rows, n = inputs.X.LongLength;
        ICudaModule module = device.ModuleFor(descriptor);
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, rows, h, format.Size, device.Multiprocessors);
        using var x = Program.DeviceBuffer.From(format.Encode(inputs.X));
        using var dy = Program.DeviceBuffer.From(format.Encode(inputs.Dy));
        using var gate = inputs.Gate is null ? null : Program.DeviceBuffer.From(format.Encode(inputs.Gate));
        using var weight = Program.DeviceBuffer.From(format.Encode(inputs.Weight));
        using var bias = Program.DeviceBuffer.From(format.Encode([inputs.Bias]));
        using var y = new Program.DeviceBuffer(n * format.Size);
        using var dx = new Program.DeviceBuffer(n * format.Size);
        using var dgate = inputs.Gate is null ? null : new Program.DeviceBuffer(n * format.Size);
        using var dweight = new Program.DeviceBuffer(order * format.Size);
        using var dbias = new Program.DeviceBuffer(format.Size);
        using var partials = new Program.DeviceBuffer(geometry.PartialRows * KernelContract.PartialColumns(order) * sizeof(float));

        StorageType storage = format.Contract;
        CudaLaunch.LaunchForward(module, storage, descriptor.Gated, geometry,
            new KernelBuffers(x.Pointer, gate?.Pointer ?? 0, 0, y.Pointer, 0, weight.Pointer, bias.Pointer, 0, 0, 0, rows, h, geometry.PartialRows));
        CudaLaunch.LaunchBackward(module, storage, descriptor.Gated, order, geometry,
            new KernelBuffers(x.Pointer, gate?.Pointer ?? 0, dy.Pointer, dx.Pointer, dgate?.Pointer ?? 0, weight.Pointer, bias.Pointer, partials.Pointer,
                dweight.Pointer, dbias.Pointer, rows, h, geometry.PartialRows));
        return new KernelOutputs(format.Decode(y.Download()), format.Decode(dx.Download()), format.Decode(dweight.Download()),
            format.Decode(dbias.Download()), dgate is null ? null : format.Decode(dgate.Download()));
    }
}
