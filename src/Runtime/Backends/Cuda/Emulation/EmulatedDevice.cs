using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>
/// The emulated CUDA device: a spec's translation unit compiled by the host C++ compiler with
/// <c>pcg_cuda_emulation.h</c>, loaded into the process, and launched on CPU memory under a schedule.
/// Its allocations are filled with NaN, as fresh device memory holds garbage, so an element a kernel
/// forgets to write shows.
/// </summary>
internal sealed class EmulatedDevice(CudaEmulationOptions options) : ICudaDevice
{
    private static readonly KernelCache Cache = new();
    private static readonly ConcurrentDictionary<KernelDescriptor, Lazy<EmulatedLibrary>> Libraries = new();

    public int Multiprocessors => options.Multiprocessors;

    public IDisposable Enter(Tensor like) => NoScope.Instance;

    public Tensor Empty(long[] shape, ScalarType dtype, Tensor like) => empty(shape, dtype: dtype).fill_(double.NaN);

    public ICudaModule ModuleFor(KernelDescriptor kernels) => new ScheduledLaunch(LibraryFor(kernels), options);

    /// <summary>The compiled library of <paramref name="kernels"/>: from memory, the disk cache, or the host compiler.</summary>
    public static EmulatedLibrary LibraryFor(KernelDescriptor kernels) => Libraries.GetOrAdd(kernels, k => new Lazy<EmulatedLibrary>(() =>
        Compile(k.CudaSource, KernelContract.EntryPoints(), k.ToString()))).Value;

    /// <summary>
    /// Compiles <paramref name="cudaSource"/> with a launcher for each of <paramref name="entries"/> (through the
    /// disk cache) and loads it.
    /// </summary>
    public static EmulatedLibrary Compile(string cudaSource, IReadOnlyList<string> entries, string what)
    {
        HostCompiler compiler = HostCompiler.TryFind(out string reason) ?? throw new HostCompilerNotFoundException(reason);
        string unit = TranslationUnit(cudaSource, entries);
        string key = KernelCache.Key(unit, compiler.CacheIdentity);
        KernelImage image = Cache.GetOrCompile(key, () => new KernelImage(compiler.CompileSharedLibrary(unit, what), KernelImageKind.HostLibrary));
        return EmulatedLibrary.Load(image.Bytes, key, Cache.Folder, what);
    }

    /// <summary>The emulation header, the unchanged CUDA source, then a launcher for every entry point.</summary>
    internal static string TranslationUnit(string cudaSource, IReadOnlyList<string> entries)
    {
        var unit = new StringBuilder();
        unit.Append("#include \"pcg_cuda_emulation.h\"\n#line 1 \"polycom.cu\"\n").Append(cudaSource).Append('\n');
        foreach (string entry in entries)
        {
            unit.Append("PCG_EMU_EXPORT(").Append(entry).Append(")\n");
        }
        return unit.ToString();
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>The library's launchers, run under one schedule.</summary>
    private sealed class ScheduledLaunch(EmulatedLibrary library, CudaEmulationOptions options) : ICudaModule
    {
        public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments) =>
            library.Launch(entry, blocks, threadsPerBlock, arguments, options.Schedule, options.Seed);
    }
}

/// <summary>A translation unit compiled for the emulated device and loaded into the process.</summary>
internal sealed unsafe class EmulatedLibrary
{
    private readonly IntPtr handle;
    private readonly string what;
    private readonly ConcurrentDictionary<string, IntPtr> launchers = new();

    private EmulatedLibrary(IntPtr handle, string path, string what)
    {
        this.handle = handle;
        this.what = what;
        Path = path;
    }

    /// <summary>The loaded file: a shared library exporting pcg_emu_launch_ENTRY for each entry point.</summary>
    public string Path { get; }

    /// <summary>
    /// Loads a library image through a file named after its cache key beside the cache entry, rewritten unless it
    /// holds exactly these bytes (the loader tells libraries apart by path, so the name must follow the content).
    /// </summary>
    public static EmulatedLibrary Load(byte[] image, string key, string folder, string what)
    {
        string path = System.IO.Path.Combine(folder, key + ".so");
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(image))
        {
            Directory.CreateDirectory(folder);
            string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, path, overwrite: true);
        }
        return new EmulatedLibrary(NativeLibrary.Load(path), path, what);
    }

    /// <summary>Runs <paramref name="entry"/> on a one-dimensional grid; throws when the emulation finds an error.</summary>
    public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, EmulationSchedule schedule, ulong seed)
    {
        var launcher = (delegate* unmanaged<EmulatedLaunchConfig*, void**, byte*, int, int>)Launcher(entry);
        var config = new EmulatedLaunchConfig
        {
            GridX = blocks, GridY = 1, GridZ = 1,
            BlockX = threadsPerBlock, BlockY = 1, BlockZ = 1,
            Schedule = (int)schedule,
            Seed = seed,
        };
        const int errorSize = 512;
        byte* error = stackalloc byte[errorSize];
        if (launcher(&config, arguments.Pointers, error, errorSize) != 0)
        {
            throw new CudaEmulationException($"{entry} of {what} failed on the emulated CUDA device: {new string((sbyte*)error)}.");
        }
    }

    private IntPtr Launcher(string entry) => launchers.GetOrAdd(entry, e =>
        NativeLibrary.TryGetExport(handle, "pcg_emu_launch_" + e, out IntPtr address)
            ? address
            : throw new CudaEmulationException($"{what} has no entry point {e}."));
}

/// <summary>The launch configuration the emulation header reads (pcg_emu::Config).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EmulatedLaunchConfig
{
    public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ;
    public int Schedule;
    public ulong Seed;
}
