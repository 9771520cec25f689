using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace PolyComGen.Backends.Cuda.Emulation;

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

    /// <summary>The backward's block counter (<see cref="ICudaModule.Counter"/>): the library's launches are serialised.</summary>
    public ulong Counter { get; } = (ulong)NativeMemory.AllocZeroed(4);

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

    /// <summary>Runs <paramref name="entry"/> on a grid of <paramref name="blocks"/> by <paramref name="gridRows"/> blocks; throws when the emulation finds an error.</summary>
    public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, EmulationSchedule schedule, ulong seed, uint gridRows = 1)
    {
        var launcher = (delegate* unmanaged<EmulatedLaunchConfig*, void**, byte*, int, int>)Launcher(entry);
        var config = new EmulatedLaunchConfig
        {
            GridX = blocks, GridY = gridRows, GridZ = 1,
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

    /// <summary>
    /// Runs <paramref name="launches"/> with the global-memory traffic to each of <paramref name="buffers"/> counted: the
    /// bytes the kernels' 16-byte loads read from it and their stores wrote to it (pcg_emu_traffic in the emulation
    /// header). Counting is per library: no other launch of this library may run meanwhile.
    /// </summary>
    public (long Read, long Written)[] CountTraffic(IReadOnlyList<(IntPtr Begin, long Bytes)> buffers, Action launches)
    {
        var begin = (delegate* unmanaged<IntPtr*, long*, int, int>)Export("pcg_emu_traffic_begin");
        var end = (delegate* unmanaged<long*, long*, void>)Export("pcg_emu_traffic_end");
        int n = buffers.Count;
        IntPtr* begins = stackalloc IntPtr[Math.Max(n, 1)];
        long* bytes = stackalloc long[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
        {
            begins[i] = buffers[i].Begin;
            bytes[i] = buffers[i].Bytes;
        }
        if (begin(begins, bytes, n) != 0)
        {
            throw new ArgumentException($"At most 16 buffers are counted, not {n}.", nameof(buffers));
        }
        long* read = stackalloc long[Math.Max(n, 1)];
        long* written = stackalloc long[Math.Max(n, 1)];
        try
        {
            launches();
        }
        finally
        {
            end(read, written);
        }
        var counts = new (long, long)[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = (read[i], written[i]);
        }
        return counts;
    }

    private IntPtr Export(string name) =>
        NativeLibrary.TryGetExport(handle, name, out IntPtr address) ? address : throw new CudaEmulationException($"{what} has no {name}.");

    private IntPtr Launcher(string entry) => launchers.GetOrAdd(entry, e =>
        NativeLibrary.TryGetExport(handle, "pcg_emu_launch_" + e, out IntPtr address)
            ? address
            : throw new CudaEmulationException($"{what} has no entry point {e}."));
}
