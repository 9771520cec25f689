using System;
using System.Collections.Concurrent;
using System.Text;
using PolyComGen.Kernels;
using static TorchSharp.torch;

namespace PolyComGen.Cuda;

/// <summary>
/// Runs a spec's generated CUDA kernels on TorchSharp CUDA tensors: compiles the translation unit with NVRTC
/// for the device's architecture on first use (through <see cref="KernelCache"/>), loads it into the device's
/// primary context, and launches on the legacy default stream, the one libtorch uses, so no synchronisation
/// is needed around the launches.
/// </summary>
public static unsafe class CudaKernelRunner
{
    private static readonly KernelCache Cache = new();
    private static readonly ConcurrentDictionary<int, Lazy<DeviceInfo>> Devices = new();

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
    public static string? DtypeSuffix(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "f32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "f16",
        _ => null,
    };

    /// <inheritdoc cref="CpuKernelRunner.Forward{TKernel}"/>
    public static Tensor Forward<TKernel>(Tensor x, Tensor weight, Tensor bias) where TKernel : IPolyComKernel
    {
        Tensor y = empty_like(x);
        var (rows, h) = RowsOf(x);
        using var scope = new ContextScope(x.device_index);
        LaunchGeometry geometry = LaunchGeometry.For(TKernel.Spec.IsRowwise, rows, h, (int)x.element_size(), scope.Device.Multiprocessors);
        if (geometry.Blocks == 0)
        {
            return y;
        }
        LaunchForward(ModuleFor<TKernel>(scope.Device), DtypeSuffix(x.dtype)!, geometry, Pointer(x), Pointer(y), Pointer(weight), Pointer(bias), rows, h);
        return y;
    }

    /// <inheritdoc cref="CpuKernelRunner.Backward{TKernel}"/>
    public static (Tensor dx, Tensor dweight, Tensor dbias) Backward<TKernel>(Tensor x, Tensor dy, Tensor weight) where TKernel : IPolyComKernel
    {
        int order = TKernel.Spec.Order;
        Tensor dx = empty_like(x);
        var (rows, h) = RowsOf(x);
        using var scope = new ContextScope(x.device_index);
        LaunchGeometry geometry = LaunchGeometry.For(TKernel.Spec.IsRowwise, rows, h, (int)x.element_size(), scope.Device.Multiprocessors);
        if (geometry.Blocks == 0)
        {
            return (dx, zeros([order], dtype: x.dtype, device: x.device), zeros([1], dtype: x.dtype, device: x.device));
        }
        Tensor dweight = empty([order], dtype: x.dtype, device: x.device);
        Tensor dbias = empty([1], dtype: x.dtype, device: x.device);
        using Tensor partials = empty([geometry.PartialRows, order + 1], dtype: ScalarType.Float32, device: x.device);
        LaunchBackward(ModuleFor<TKernel>(scope.Device), DtypeSuffix(x.dtype)!, geometry, order,
            Pointer(x), Pointer(dy), Pointer(dx), Pointer(weight), Pointer(partials), Pointer(dweight), Pointer(dbias), rows, h);
        return (dx, dweight, dbias);
    }

    /// <summary>polycom_forward_{suffix} on device pointers, on the legacy default stream.</summary>
    internal static void LaunchForward(LoadedModule module, string suffix, LaunchGeometry geometry, ulong x, ulong y, ulong weight, ulong bias, long rows, long h)
    {
        using var arguments = new KernelArguments(6).Add(x).Add(y).Add(weight).Add(bias).Add((ulong)rows).Add((int)h);
        Launch(module.Function("polycom_forward_" + suffix), geometry.Blocks, arguments);
    }

    /// <summary>
    /// polycom_backward_{suffix} then polycom_reduce_{suffix} on device pointers; <paramref name="partials"/> holds
    /// geometry.PartialRows x (order + 1) floats.
    /// </summary>
    internal static void LaunchBackward(
        LoadedModule module, string suffix, LaunchGeometry geometry, int order,
        ulong x, ulong dy, ulong dx, ulong weight, ulong partials, ulong dweight, ulong dbias, long rows, long h)
    {
        using (var arguments = new KernelArguments(7).Add(x).Add(dy).Add(dx).Add(weight).Add(partials).Add((ulong)rows).Add((int)h))
        {
            Launch(module.Function("polycom_backward_" + suffix), geometry.Blocks, arguments);
        }
        using (var arguments = new KernelArguments(4).Add(partials).Add((ulong)geometry.PartialRows).Add(dweight).Add(dbias))
        {
            Launch(module.Function("polycom_reduce_" + suffix), (uint)(order + 1), arguments);
        }
    }

    private static (long Rows, long H) RowsOf(Tensor x)
    {
        long h = x.dim() == 0 ? 1 : x.shape[^1];
        return (h == 0 ? 0 : x.numel() / h, h);
    }

    private static ulong Pointer(Tensor tensor) => (ulong)TensorMemory.DataPointer(tensor);

    private static void Launch(IntPtr function, uint blocks, KernelArguments arguments)
    {
        CudaDriver driver = CudaDriver.Instance;
        driver.ThrowIfFailed(driver.cuLaunchKernel(function, blocks, 1, 1, LaunchGeometry.ThreadsPerBlock, 1, 1, 0, IntPtr.Zero, arguments.Pointers, null));
    }

    /// <summary>The spec's module on a device: compiled (or read from the cache) and loaded on first use only.</summary>
    internal static LoadedModule ModuleFor<TKernel>(DeviceInfo device) where TKernel : IPolyComKernel =>
        ModulesOf<TKernel>.ByDevice.GetOrAdd(device.Ordinal, _ => new Lazy<LoadedModule>(() =>
        {
            Nvrtc nvrtc = Nvrtc.TryLoad(out string reason) ?? throw new CudaNotAvailableException(reason);
            string source = TKernel.CudaSource;
            var (options, _) = nvrtc.OptionsFor(device.Architecture);
            string key = KernelCache.Key(source, device.Architecture, nvrtc.Version, options);
            KernelImage image = Cache.GetOrCompile(key, () =>
                nvrtc.Compile(source, device.Architecture, $"{TKernel.Spec} ({TKernel.Name}) for sm_{device.Architecture}"));
            return LoadedModule.Load(image, $"{TKernel.Spec} ({TKernel.Name})");
        })).Value;

    // One table per spec, so a launch finds its module without hashing the source again.
    private static class ModulesOf<TKernel> where TKernel : IPolyComKernel
    {
        public static readonly ConcurrentDictionary<int, Lazy<LoadedModule>> ByDevice = new();
    }

    /// <summary>A loaded CUmodule and its functions by name.</summary>
    internal sealed class LoadedModule
    {
        private readonly IntPtr module;
        private readonly ConcurrentDictionary<string, IntPtr> functions = new();

        private LoadedModule(IntPtr module) => this.module = module;

        public static LoadedModule Load(KernelImage image, string what)
        {
            CudaDriver driver = CudaDriver.Instance;
            const int logSize = 16 * 1024;
            byte* log = stackalloc byte[logSize];
            int* options = stackalloc int[] { CudaDriver.JitOption.ErrorLogBuffer, CudaDriver.JitOption.ErrorLogBufferSizeBytes };
            IntPtr* values = stackalloc IntPtr[] { (IntPtr)log, logSize };
            // PTX must be NUL-terminated for the JIT.
            byte[] bytes = image.IsPtx ? [.. image.Bytes, 0] : image.Bytes;
            IntPtr module;
            CudaResult result;
            fixed (byte* data = bytes)
            {
                result = driver.cuModuleLoadDataEx(&module, data, 2, options, values);
            }
            if (result != CudaResult.Success)
            {
                string jitLog = new string((sbyte*)log).Trim();
                throw new CudaException(result, $"cuModuleLoadDataEx({what})", driver.ErrorName(result),
                    driver.ErrorString(result) + (jitLog.Length > 0 ? Environment.NewLine + "JIT log:" + Environment.NewLine + jitLog : ""));
            }
            return new LoadedModule(module);
        }

        public IntPtr Function(string name) => functions.GetOrAdd(name, n =>
        {
            CudaDriver driver = CudaDriver.Instance;
            byte[] utf8 = Encoding.UTF8.GetBytes(n + "\0");
            IntPtr function;
            fixed (byte* p = utf8)
            {
                driver.ThrowIfFailed(driver.cuModuleGetFunction(&function, module, p));
            }
            return function;
        });
    }

    /// <summary>A device's ordinal, primary context, architecture (e.g. 90) and multiprocessor count.</summary>
    internal sealed record DeviceInfo(int Ordinal, IntPtr Context, int Architecture, int Multiprocessors)
    {
        public static DeviceInfo For(int ordinal) => Devices.GetOrAdd(ordinal, o => new Lazy<DeviceInfo>(() =>
        {
            CudaDriver driver = CudaDriver.Instance;
            int device, major, minor, multiprocessors;
            IntPtr context;
            driver.ThrowIfFailed(driver.cuDeviceGet(&device, o));
            driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&major, CudaDriver.DeviceAttribute.ComputeCapabilityMajor, device));
            driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&minor, CudaDriver.DeviceAttribute.ComputeCapabilityMinor, device));
            driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&multiprocessors, CudaDriver.DeviceAttribute.MultiprocessorCount, device));
            // The primary context is the one libtorch uses; retained once for the life of the process.
            driver.ThrowIfFailed(driver.cuDevicePrimaryCtxRetain(&context, device));
            return new DeviceInfo(o, context, major * 10 + minor, multiprocessors);
        })).Value;
    }

    /// <summary>Makes a device's primary context current for the scope of a launch.</summary>
    internal readonly struct ContextScope : IDisposable
    {
        public ContextScope(long deviceIndex)
        {
            Device = DeviceInfo.For((int)Math.Max(deviceIndex, 0));
            CudaDriver driver = CudaDriver.Instance;
            driver.ThrowIfFailed(driver.cuCtxPushCurrent(Device.Context));
        }

        public DeviceInfo Device { get; }

        public void Dispose()
        {
            IntPtr popped;
            CudaDriver.Instance.cuCtxPopCurrent(&popped);
        }
    }
}
