using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;

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
    private static readonly List<string> Report = [];

    public static int Main(string[] args)
    {
        string? output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        bool quick = args.Contains("--quick");
        if (args.Contains("--dry-run"))
        {
            return DryRun();
        }
        if (!CudaKernelRunner.IsAvailable(out string reason))
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

        int failures = 0;
        Write("## Correctness against the CPU float64 kernels\n");
        Write("| spec | dtype | shape | rel err y | rel err dx | rel err dweight | rel err dbias | tolerance | gradients bitwise repeatable | result |");
        Write("|---|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (Storage storage in Storage.All)
        {
            foreach (var (rows, h) in new (long, int)[] { (128, 4096), (33, 1031) })
            {
                failures += Check<PolyNorm.PolyComKernels>(device, storage, rows, h);
                failures += Check<PolyReLU.PolyComKernels>(device, storage, rows, h);
                failures += Check<PolyGELU.PolyComKernels>(device, storage, rows, h);
                failures += Check<NormType1Order4.PolyComKernels>(device, storage, rows, h);
            }
        }

        Write("\n## Bandwidth, bfloat16 (CUDA events, medians of 20)\n");
        Write("Bytes: forward reads x and writes y; backward reads x and dy and writes dx (the gradient partials are O(rows)).\n");
        Write("| spec | shape | copy GB/s | forward ms | forward GB/s | % of copy | backward ms | backward GB/s | % of copy |");
        Write("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var shapes = quick ? new (long, int)[] { (4096, 8192) } : [(16384, 8192), (4096, 32768), (2048, 65536)];
        foreach (var (rows, h) in shapes)
        {
            Time<PolyNorm.PolyComKernels>(device, rows, h);
            Time<PolyReLU.PolyComKernels>(device, rows, h);
        }

        Write(failures == 0 ? "\nAll checks passed." : $"\n{failures} check(s) FAILED.");
        if (output is not null)
        {
            File.WriteAllText(output, string.Join("\n", Report) + "\n");
        }
        return failures == 0 ? 0 : 1;
    }

    private static int DryRun()
    {
        foreach (Storage storage in Storage.All)
        {
            double[] x = Normal(new Random(1), 4 * 37, 1.0).Select(storage.Round).ToArray();
            double[] decoded = storage.Decode(storage.Encode(x));
            if (!decoded.SequenceEqual(x))
            {
                Console.Error.WriteLine($"{storage.Suffix}: rounding is not idempotent");
                return 1;
            }
            foreach (var reference in new[]
            {
                CpuReference<PolyNorm.PolyComKernels>(x, x, [0.3, 0.2, 0.1], 0.5, 4, 37),
                CpuReference<PolyReLU.PolyComKernels>(x, x, [0.3, 0.2, 0.1], 0.5, 4, 37),
                CpuReference<PolyGELU.PolyComKernels>(x, x, [0.3, 0.2, 0.1], 0.5, 4, 37),
                CpuReference<NormType1Order4.PolyComKernels>(x, x, [0.3, 0.2, 0.1, 0.05], 0.5, 4, 37),
            })
            {
                if (!reference.Y.Concat(reference.Dx).Concat(reference.Dw).All(double.IsFinite))
                {
                    Console.Error.WriteLine($"{storage.Suffix}: the CPU reference produced a non-finite value");
                    return 1;
                }
            }
        }
        Console.WriteLine("Dry run: storage rounding and the CPU float64 reference work; CUDA " +
            (CudaKernelRunner.IsAvailable(out string reason) ? "is available." : $"is not: {reason}."));
        return 0;
    }

    private static void Write(string line)
    {
        Console.WriteLine(line);
        Report.Add(line);
    }

    private static int Check<TKernel>(GpuDevice device, Storage storage, long rows, int h) where TKernel : IPolyComKernel
    {
        KernelDescriptor kernels = TKernel.Descriptor;
        int order = kernels.Order;
        long n = rows * h;
        var random = new Random(1234);
        double[] x = Normal(random, n, 1.0).Select(storage.Round).ToArray();
        double[] dy = Normal(random, n, 1.0).Select(storage.Round).ToArray();
        double[] weight = Normal(random, order, 0.5).Select(storage.Round).ToArray();
        double bias = storage.Round(Normal(random, 1, 0.5)[0]);
        var expected = CpuReference<TKernel>(x, dy, weight, bias, rows, h);

        ICudaModule module = device.ModuleFor(kernels);
        LaunchGeometry geometry = LaunchGeometry.For(kernels.Rowwise, rows, h, storage.Size, device.Multiprocessors);
        using var dX = DeviceBuffer.From(storage.Encode(x));
        using var dDy = DeviceBuffer.From(storage.Encode(dy));
        using var dW = DeviceBuffer.From(storage.Encode(weight));
        using var dB = DeviceBuffer.From(storage.Encode([bias]));
        using var dY = new DeviceBuffer(n * storage.Size);
        using var dDx = new DeviceBuffer(n * storage.Size);
        using var dDw = new DeviceBuffer(order * storage.Size);
        using var dDb = new DeviceBuffer(storage.Size);
        using var partials = new DeviceBuffer(geometry.PartialRows * (order + 1) * sizeof(float));

        StorageType contract = storage.Contract;
        CudaLaunch.LaunchForward(module, contract, gated: false, geometry, Buffers(dX, dY, null, dW, dB, null, null, null, rows, h, geometry));
        (byte[] Dx, byte[] Dw, byte[] Db) Backward()
        {
            CudaLaunch.LaunchBackward(module, contract, gated: false, order, geometry, Buffers(dX, dDx, dDy, dW, dB, partials, dDw, dDb, rows, h, geometry));
            return (dDx.Download(), dDw.Download(), dDb.Download());
        }
        var first = Backward();
        var second = Backward();
        bool repeatable = first.Dx.AsSpan().SequenceEqual(second.Dx) && first.Dw.AsSpan().SequenceEqual(second.Dw) && first.Db.AsSpan().SequenceEqual(second.Db);

        double tolerance = storage == Storage.Float32 ? 1e-5 : 1e-2;
        double[] errors =
        [
            RelativeError(storage.Decode(dY.Download()), expected.Y),
            RelativeError(storage.Decode(first.Dx), expected.Dx),
            RelativeError(storage.Decode(first.Dw), expected.Dw),
            RelativeError(storage.Decode(first.Db), [expected.Db]),
        ];
        bool passed = repeatable && errors.All(e => e < tolerance);
        Write($"| {kernels.Name} {kernels.Spec} | {storage.Suffix} | [{rows}, {h}] | {string.Join(" | ", errors.Select(e => e.ToString("E1")))} | {tolerance:E0} | {(repeatable ? "yes" : "NO")} | {(passed ? "pass" : "FAIL")} |");
        return passed ? 0 : 1;
    }

    private static void Time<TKernel>(GpuDevice device, long rows, int h) where TKernel : IPolyComKernel
    {
        Storage storage = Storage.BFloat16;
        KernelDescriptor kernels = TKernel.Descriptor;
        int order = kernels.Order;
        long n = rows * h, bytes = n * storage.Size;
        var random = new Random(7);
        ICudaModule module = device.ModuleFor(kernels);
        LaunchGeometry geometry = LaunchGeometry.For(kernels.Rowwise, rows, h, storage.Size, device.Multiprocessors);
        using var dX = DeviceBuffer.From(storage.Encode(Normal(random, n, 1.0)));
        using var dDy = DeviceBuffer.From(storage.Encode(Normal(random, n, 1.0)));
        using var dW = DeviceBuffer.From(storage.Encode(Normal(random, order, 0.5)));
        using var dB = DeviceBuffer.From(storage.Encode([0.1]));
        using var dY = new DeviceBuffer(bytes);
        using var dDx = new DeviceBuffer(bytes);
        using var dDw = new DeviceBuffer(order * storage.Size);
        using var dDb = new DeviceBuffer(storage.Size);
        using var partials = new DeviceBuffer(geometry.PartialRows * (order + 1) * sizeof(float));

        CudaDriver driver = CudaDriver.Instance;
        double copyMs = Events.Median(() => driver.ThrowIfFailed(driver.cuMemcpyDtoD(dY.Pointer, dX.Pointer, (nuint)bytes)));
        double forwardMs = Events.Median(() => CudaLaunch.LaunchForward(module, storage.Contract, gated: false, geometry, Buffers(dX, dY, null, dW, dB, null, null, null, rows, h, geometry)));
        double backwardMs = Events.Median(() => CudaLaunch.LaunchBackward(module, storage.Contract, gated: false, order, geometry,
            Buffers(dX, dDx, dDy, dW, dB, partials, dDw, dDb, rows, h, geometry)));
        double copy = 2.0 * bytes / (copyMs * 1e6), forward = 2.0 * bytes / (forwardMs * 1e6), backward = 3.0 * bytes / (backwardMs * 1e6);
        Write($"| {kernels.Name} | [{rows}, {h}] | {copy:F0} | {forwardMs:F3} | {forward:F0} | {100 * forward / copy:F0}% | {backwardMs:F3} | {backward:F0} | {100 * backward / copy:F0}% |");
    }

    private static (double[] Y, double[] Dx, double[] Dw, double Db) CpuReference<TKernel>(double[] x, double[] dy, double[] weight, double bias, long rows, int h)
        where TKernel : IPolyComKernel
    {
        int order = TKernel.Descriptor.Order;
        int segment = TKernel.Descriptor.Rowwise ? h : KernelContract.ElementwiseSegmentLength;
        var y = new double[x.Length];
        var dx = new double[x.Length];
        var sums = new double[order + 1];
        var partials = new double[order + 1];
        for (int start = 0; start < x.Length; start += segment)
        {
            int length = Math.Min(segment, x.Length - start);
            TKernel.Forward(x.AsSpan(start, length), default, y.AsSpan(start, length), weight, bias);
            TKernel.Backward(x.AsSpan(start, length), default, dy.AsSpan(start, length), dx.AsSpan(start, length), default, weight, bias, partials);
            for (int k = 0; k <= order; k++)
            {
                sums[k] += partials[k];
            }
        }
        return (y, dx, sums[..order], sums[order]);
    }

    // The pointers of one launch: output is y for the forward and dx for the backward.
    private static KernelBuffers Buffers(
        DeviceBuffer x, DeviceBuffer output, DeviceBuffer? dy, DeviceBuffer weight, DeviceBuffer bias, DeviceBuffer? partials,
        DeviceBuffer? dweight, DeviceBuffer? dbias, long rows, int h, LaunchGeometry geometry) =>
        new(x.Pointer, 0, dy?.Pointer ?? 0, output.Pointer, 0, weight.Pointer, bias.Pointer, partials?.Pointer ?? 0,
            dweight?.Pointer ?? 0, dbias?.Pointer ?? 0, rows, h, geometry.PartialRows);

    private static double RelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs), error = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        return scale > 0 ? error / scale : error;
    }

    private static double[] Normal(Random random, long count, double scale)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return values;
    }

    /// <summary>Device memory for the check, freed on dispose.</summary>
    private sealed class DeviceBuffer : IDisposable
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
