using System;
using System.Collections.Concurrent;
using System.Text;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// A real GPU: its primary context (the one libtorch uses), kernels compiled by NVRTC for its exact
/// architecture through <see cref="KernelCache"/>, and launches on the legacy default stream, the one libtorch
/// uses, so no synchronisation is needed around them.
/// </summary>
internal sealed unsafe class GpuDevice : ICudaDevice
{
    private static readonly KernelCache Cache = new();
    private static readonly ConcurrentDictionary<int, Lazy<GpuDevice>> Devices = new();

    private readonly ConcurrentDictionary<KernelDescriptor, Lazy<LoadedModule>> modules = new();

    private GpuDevice(int ordinal, IntPtr context, int architecture, int multiprocessors)
    {
        Ordinal = ordinal;
        Context = context;
        Architecture = architecture;
        Multiprocessors = multiprocessors;
    }

    public int Ordinal { get; }

    public IntPtr Context { get; }

    /// <summary>The compute capability as a number, e.g. 90.</summary>
    public int Architecture { get; }

    public int Multiprocessors { get; }

    /// <summary>The device with this ordinal, its primary context retained once for the life of the process.</summary>
    public static GpuDevice For(long ordinal) => Devices.GetOrAdd((int)Math.Max(ordinal, 0), o => new Lazy<GpuDevice>(() =>
    {
        CudaDriver driver = CudaDriver.Instance;
        int device, major, minor, multiprocessors;
        IntPtr context;
        driver.ThrowIfFailed(driver.cuDeviceGet(&device, o));
        driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&major, CudaDriver.DeviceAttribute.ComputeCapabilityMajor, device));
        driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&minor, CudaDriver.DeviceAttribute.ComputeCapabilityMinor, device));
        driver.ThrowIfFailed(driver.cuDeviceGetAttribute(&multiprocessors, CudaDriver.DeviceAttribute.MultiprocessorCount, device));
        driver.ThrowIfFailed(driver.cuDevicePrimaryCtxRetain(&context, device));
        return new GpuDevice(o, context, major * 10 + minor, multiprocessors);
    })).Value;

    public IDisposable Enter(Tensor like) => new ContextScope(Context);

    public Tensor Empty(long[] shape, ScalarType dtype, Tensor like) => empty(shape, dtype: dtype, device: like.device);

    public ICudaModule ModuleFor(KernelDescriptor descriptor) => modules.GetOrAdd(descriptor, k => new Lazy<LoadedModule>(() =>
    {
        Nvrtc nvrtc = Nvrtc.TryLoad(out string reason) ?? throw new CudaNotAvailableException(reason);
        var (options, _) = nvrtc.OptionsFor(Architecture);
        string key = KernelCache.Key(k.CudaSource, [$"sm_{Architecture}", $"nvrtc {nvrtc.Version}", .. options]);
        KernelImage image = Cache.GetOrCompile(key, () => nvrtc.Compile(k.CudaSource, Architecture, $"{k} for sm_{Architecture}"));
        return LoadedModule.Load(image, k.ToString(), Ordinal);
    })).Value;

    /// <summary>Makes a context current until disposed.</summary>
    public readonly struct ContextScope : IDisposable
    {
        public ContextScope(IntPtr context)
        {
            CudaDriver driver = CudaDriver.Instance;
            driver.ThrowIfFailed(driver.cuCtxPushCurrent(context));
        }

        public void Dispose()
        {
            IntPtr popped;
            CudaDriver.Instance.cuCtxPopCurrent(&popped);
        }
    }

    /// <summary>A loaded CUmodule and its functions by name.</summary>
    internal sealed class LoadedModule : ICudaModule
    {
        private readonly IntPtr module;
        private readonly ConcurrentDictionary<string, IntPtr> functions = new();
        private readonly Lazy<Tensor> counter;

        private LoadedModule(IntPtr module, int ordinal)
        {
            this.module = module;
            counter = new Lazy<Tensor>(() => zeros([1], ScalarType.Int32, device: new Device(TorchSharp.DeviceType.CUDA, ordinal)).DetachFromDisposeScope());
        }

        // Launches go to the legacy default stream, one after another.
        public ulong Counter => (ulong)Cpu.TensorMemory.DataPointer(counter.Value);

        public static LoadedModule Load(KernelImage image, string what, int ordinal)
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
            return new LoadedModule(module, ordinal);
        }

        public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, uint gridRows = 1)
        {
            CudaDriver driver = CudaDriver.Instance;
            driver.ThrowIfFailed(driver.cuLaunchKernel(Function(entry), blocks, gridRows, 1, threadsPerBlock, 1, 1, 0, IntPtr.Zero, arguments.Pointers, null));
        }

        private IntPtr Function(string name) => functions.GetOrAdd(name, n =>
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
}
