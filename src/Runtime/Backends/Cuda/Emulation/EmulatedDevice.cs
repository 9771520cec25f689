using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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

    public ICudaModule ModuleFor(KernelDescriptor descriptor) => new ScheduledLaunch(LibraryFor(descriptor), options);

    /// <summary>The compiled library of <paramref name="descriptor"/>: from memory, the disk cache, or the host compiler.</summary>
    public static EmulatedLibrary LibraryFor(KernelDescriptor descriptor) => Libraries.GetOrAdd(descriptor, k => new Lazy<EmulatedLibrary>(() =>
        Compile(k.CudaSource, KernelContract.EntryPoints(KernelContract.HasSplitKernels(k.Rowwise, k.Groups)), k.ToString()))).Value;

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
        public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, uint gridRows = 1) =>
            library.Launch(entry, blocks, threadsPerBlock, arguments, options.Schedule, options.Seed, gridRows);

        public ulong Counter => library.Counter;
    }
}
