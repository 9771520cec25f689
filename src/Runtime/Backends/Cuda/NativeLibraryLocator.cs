using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace PolyComGen.Backends.Cuda;

/// <summary>Where the CUDA driver and NVRTC are looked for, in order, and the first that loads.</summary>
internal static class NativeLibraryLocator
{
    /// <summary>The driver library: libcuda.so.1 (the driver ships no unversioned name at run time).</summary>
    public static IReadOnlyList<string> DriverCandidates { get; } = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    /// <summary>
    /// NVRTC's file names, newest first, each tried by the loader's own search and then in
    /// <c>$CUDA_PATH/lib64</c>, <c>$CUDA_HOME/lib64</c> and <c>/usr/local/cuda/lib64</c>.
    /// </summary>
    public static IReadOnlyList<string> NvrtcCandidates(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string[] names = OperatingSystem.IsWindows()
            ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
            : ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"];
        var candidates = new List<string>(names);
        var folders = new List<string>();
        foreach (string variable in new[] { "CUDA_PATH", "CUDA_HOME" })
        {
            if (environment(variable) is { Length: > 0 } root)
            {
                folders.Add(Path.Combine(root, OperatingSystem.IsWindows() ? "bin" : "lib64"));
            }
        }
        if (!OperatingSystem.IsWindows())
        {
            folders.Add("/usr/local/cuda/lib64");
        }
        foreach (string folder in folders)
        {
            foreach (string name in names)
            {
                candidates.Add(Path.Combine(folder, name));
            }
        }
        return candidates;
    }

    /// <summary>Loads the first candidate that loads; null, with every attempt listed in <paramref name="tried"/>, when none does.</summary>
    public static IntPtr? TryLoad(IEnumerable<string> candidates, out string tried)
    {
        var attempts = new List<string>();
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                tried = candidate;
                return handle;
            }
            attempts.Add(candidate);
        }
        tried = string.Join(", ", attempts);
        return null;
    }
}
