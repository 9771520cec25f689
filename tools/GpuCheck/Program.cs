using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;
using PolyComGen.Verification;

namespace PolyComGen.GpuCheck;

/// <summary>
/// Checks the generated CUDA kernels on a real GPU without .NET or libtorch installed: forward and all
/// gradients against the generated CPU kernels in float64, bitwise determinism of the gradients, and
/// bandwidth with CUDA events against a device-to-device copy timed in the same run.
/// Usage: PolyComGen.GpuCheck [--out report.md] [--quick] [--dry-run]
/// (--dry-run exercises the CPU side, the float64 reference and the storage rounding, where there is no GPU,
/// so a published checker can be verified before any device time is spent).
/// </summary>
public static unsafe class Program
{
    // The report file, written line by line so that a run stopped by a time limit still leaves what it measured.
    private static StreamWriter? report;

    public static int Main(string[] args)
    {
        string? output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        bool quick = args.Contains("--quick");
        report = output is null || args.Contains("--dry-run") ? null : new StreamWriter(output) { AutoFlush = true, NewLine = "\n" };
        if (args.Contains("--dry-run"))
        {
            return DryRun();
        }
        if (!CudaBackend.IsAvailable(out string reason))
        {
            Console.Error.WriteLine($"GPU check: {reason}");
            return 2;
        }
        CudaDriver driver = CudaDriver.Instance;
        Nvrtc nvrtc = Nvrtc.TryLoad(out _)!;
        GpuDevice device = GpuDevice.For(0);
        using var context = new GpuDevice.ContextScope(device.Context);
        byte* name = stackalloc byte[256];
        int handle, driverVersion;
        driver.ThrowIfFailed(driver.cuDeviceGet(&handle, 0));
        driver.ThrowIfFailed(driver.cuDeviceGetName(name, 256, handle));
        driver.ThrowIfFailed(driver.cuDriverGetVersion(&driverVersion));
        Write($"# PolyComGen GPU check\n\nDevice: {new string((sbyte*)name)}, sm_{device.Architecture}, {device.Multiprocessors} SMs; " +
              $"CUDA driver {driverVersion / 1000}.{driverVersion % 1000 / 10}; NVRTC {nvrtc.Version} ({nvrtc.Path}).\n");

        Write("## Correctness against the CPU float64 kernels (the parity checker; gradients run twice, bitwise repeatable), every declared activation\n");
        foreach (string line in ParityReport.Header())
        {
            Write(line);
        }
        var results = new List<ParityResult>();
        var target = new GpuTarget(device);
        foreach (StorageFormat format in StorageFormat.All)
        {
            foreach (long[] shape in new long[][] { [128, 4096], [33, 1031] })
            {
                foreach (PolyComActivation activation in PolyComActivations.All)
                {
                    ParityResult result = ParityCheck.Run(activation.Descriptor, target, format, ParityCheck.ShapeFor(activation.Descriptor, shape), seed: 1234, runs: 2);
                    results.Add(result);
                    Write(ParityReport.Row(result));
                }
            }
        }
        int failures = results.Count(r => !r.Passed);
        Write("\n" + ParityReport.Summary(results));
        Write($"\n### The worst of each output, over the {PolyComActivations.All.Count} activations (this checker's four and the tests' spec grid)\n");
        foreach (string line in ParityReport.Worst(results))
        {
            Write(line);
        }

        Write("\n## Bandwidth, bfloat16 (CUDA events, medians of 20)\n");
        Write("Bytes: forward reads x and writes y; backward reads x and dy and writes dx (the gradient partials are O(rows)).\n");
        Write("| spec | shape | copy GB/s | forward ms | forward GB/s | % of copy | backward ms | backward GB/s | % of copy |");
        Write("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var shapes = quick ? new (long, int)[] { (4096, 8192) } : [(16384, 8192), (4096, 32768), (2048, 65536)];
        foreach (var (rows, h) in shapes)
        {
            Time(device, PolyNorm.PolyComKernels.Descriptor, rows, h);
            Time(device, PolyReLU.PolyComKernels.Descriptor, rows, h);
        }

        Write(failures == 0 ? "\nAll checks passed." : $"\n{failures} check(s) FAILED.");
        report?.Dispose();
        return failures == 0 ? 0 : 1;
    }

    private static int DryRun()
    {
        foreach (StorageFormat format in StorageFormat.All)
        {
            ParityInputs inputs = ParityCheck.Inputs(PolyComActivations.All[0].Descriptor, [4, 37], format, seed: 1);
            double[] decoded = format.Decode(format.Encode(inputs.X));
            if (!decoded.SequenceEqual(inputs.X))
            {
                Console.Error.WriteLine($"{format}: rounding is not idempotent");
                return 1;
            }
            foreach (PolyComActivation activation in PolyComActivations.All)
            {
                KernelOutputs reference = ParityCheck.Reference(activation.Descriptor, ParityCheck.Inputs(activation.Descriptor, ParityCheck.ShapeFor(activation.Descriptor, [4, 37]), format, seed: 1));
                if (!reference.Y.Concat(reference.Dx).Concat(reference.Dparameters).All(double.IsFinite))
                {
                    Console.Error.WriteLine($"{format}: the CPU reference of {activation.Name} produced a non-finite value");
                    return 1;
                }
            }
        }
        Console.WriteLine("Dry run: storage rounding and the CPU float64 reference work; CUDA " +
            (CudaBackend.IsAvailable(out string reason) ? "is available." : $"is not: {reason}."));
        return 0;
    }

    private static void Write(string line)
    {
        Console.WriteLine(line);
        report?.WriteLine(line);
    }

    private static void Time(GpuDevice device, KernelDescriptor descriptor, long rows, int h)
    {
        StorageFormat storage = StorageFormat.BFloat16;
        int columns = descriptor.ParameterCount;
        long n = rows * h, bytes = n * storage.Size;
        ParityInputs inputs = ParityCheck.Inputs(descriptor, [rows, h], storage, seed: 7);
        ICudaModule module = device.ModuleFor(descriptor);
        LaunchGeometry geometry = LaunchGeometry.For(descriptor.Rowwise, rows, h, storage.Size, device.Multiprocessors, descriptor.Groups);
        using var dX = DeviceBuffer.From(storage.Encode(inputs.X));
        using var dDy = DeviceBuffer.From(storage.Encode(inputs.Dy));
        using var dP = DeviceBuffer.From(storage.Encode(columns > 0 ? inputs.Parameters : [0.0]));
        using var dY = new DeviceBuffer(bytes);
        using var dDx = new DeviceBuffer(bytes);
        using var dDp = new DeviceBuffer(columns * storage.Size);
        using var partials = new DeviceBuffer(geometry.PartialRows * columns * sizeof(float));

        CudaDriver driver = CudaDriver.Instance;
        double copyMs = Events.Median(() => driver.ThrowIfFailed(driver.cuMemcpyDtoD(dY.Pointer, dX.Pointer, (nuint)bytes)));
        double forwardMs = Events.Median(() => CudaLaunch.LaunchForward(module, storage.Contract, gated: false, geometry, Buffers(dX, dY, null, dP, null, null, rows, h, geometry)));
        double backwardMs = Events.Median(() => CudaLaunch.LaunchBackward(module, storage.Contract, gated: false, geometry,
            Buffers(dX, dDx, dDy, dP, partials, dDp, rows, h, geometry)));
        double copy = 2.0 * bytes / (copyMs * 1e6), forward = 2.0 * bytes / (forwardMs * 1e6), backward = 3.0 * bytes / (backwardMs * 1e6);
        Write($"| {descriptor.Name} | [{rows}, {h}] | {copy:F0} | {forwardMs:F3} | {forward:F0} | {100 * forward / copy:F0}% | {backwardMs:F3} | {backward:F0} | {100 * backward / copy:F0}% |");
    }

    // The pointers of one launch: output is y for the forward and dx for the backward.
    internal static KernelBuffers Buffers(
        DeviceBuffer x, DeviceBuffer output, DeviceBuffer? dy, DeviceBuffer parameters, DeviceBuffer? partials,
        DeviceBuffer? dparameters, long rows, int h, LaunchGeometry geometry) =>
        new(x.Pointer, 0, dy?.Pointer ?? 0, output.Pointer, 0, parameters.Pointer, partials?.Pointer ?? 0,
            dparameters?.Pointer ?? 0, rows, h, geometry.PartialRows);

    /// <summary>Device memory for the check, freed on dispose.</summary>
    internal sealed class DeviceBuffer : IDisposable
    {
        public DeviceBuffer(long bytes)
        {
            Bytes = Math.Max(bytes, 1);
            ulong pointer;
            CudaDriver.Instance.ThrowIfFailed(CudaDriver.Instance.cuMemAlloc(&pointer, (nuint)Bytes));
            Pointer = pointer;
        }

        public ulong Pointer { get; }

        public long Bytes { get; }

        public static DeviceBuffer From(byte[] data)
        {
            var buffer = new DeviceBuffer(data.Length);
            fixed (byte* source = data)
            {
                CudaDriver.Instance.ThrowIfFailed(CudaDriver.Instance.cuMemcpyHtoD(buffer.Pointer, source, (nuint)data.Length));
            }
            return buffer;
        }

        public byte[] Download()
        {
            var data = new byte[Bytes];
            fixed (byte* target = data)
            {
                CudaDriver.Instance.ThrowIfFailed(CudaDriver.Instance.cuMemcpyDtoH(target, Pointer, (nuint)Bytes));
            }
            return data;
        }

        public void Dispose() => CudaDriver.Instance.cuMemFree(Pointer);
    }

    /// <summary>Median time of an action on the default stream, by CUDA events.</summary>
    private static class Events
    {
        public static double Median(Action launch, int repeats = 20, int warmup = 3)
        {
            CudaDriver driver = CudaDriver.Instance;
            IntPtr start, stop;
            driver.ThrowIfFailed(driver.cuEventCreate(&start, 0));
            driver.ThrowIfFailed(driver.cuEventCreate(&stop, 0));
            var times = new List<double>();
            for (int i = 0; i < warmup + repeats; i++)
            {
                driver.ThrowIfFailed(driver.cuEventRecord(start, IntPtr.Zero));
                launch();
                driver.ThrowIfFailed(driver.cuEventRecord(stop, IntPtr.Zero));
                driver.ThrowIfFailed(driver.cuEventSynchronize(stop));
                float ms;
                driver.ThrowIfFailed(driver.cuEventElapsedTime(&ms, start, stop));
                if (i >= warmup)
                {
                    times.Add(ms);
                }
            }
            driver.cuEventDestroy(start);
            driver.cuEventDestroy(stop);
            times.Sort();
            return times[times.Count / 2];
        }
    }
}
