using System;
using System.Runtime.InteropServices;
using System.Text;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// NVRTC, bound at run time from the first of <see cref="NativeLibraryLocator.NvrtcCandidates"/> that loads:
/// compiles a CUDA translation unit to CUBIN for one architecture, or to PTX where this NVRTC is older than
/// the device. Failures carry the whole compile log.
/// </summary>
internal sealed unsafe class Nvrtc
{
    private static readonly Lazy<(Nvrtc? Compiler, string Reason)> Shared = new(Load);

    private readonly delegate* unmanaged<int, byte*> nvrtcGetErrorString;
    private readonly delegate* unmanaged<int*, int*, int> nvrtcVersion;
    private readonly delegate* unmanaged<int*, int> nvrtcGetNumSupportedArchs;
    private readonly delegate* unmanaged<int*, int> nvrtcGetSupportedArchs;
    private readonly delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    private readonly delegate* unmanaged<IntPtr, int, byte**, int> nvrtcCompileProgram;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetProgramLogSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetProgramLog;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetPTXSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetPTX;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetCUBINSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetCUBIN;
    private readonly delegate* unmanaged<IntPtr*, int> nvrtcDestroyProgram;

    private Nvrtc(IntPtr library, string path)
    {
        IntPtr Bind(string name) => NativeLibrary.GetExport(library, name);
        nvrtcGetErrorString = (delegate* unmanaged<int, byte*>)Bind("nvrtcGetErrorString");
        nvrtcVersion = (delegate* unmanaged<int*, int*, int>)Bind("nvrtcVersion");
        nvrtcGetNumSupportedArchs = (delegate* unmanaged<int*, int>)Bind("nvrtcGetNumSupportedArchs");
        nvrtcGetSupportedArchs = (delegate* unmanaged<int*, int>)Bind("nvrtcGetSupportedArchs");
        nvrtcCreateProgram = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)Bind("nvrtcCreateProgram");
        nvrtcCompileProgram = (delegate* unmanaged<IntPtr, int, byte**, int>)Bind("nvrtcCompileProgram");
        nvrtcGetProgramLogSize = (delegate* unmanaged<IntPtr, nuint*, int>)Bind("nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = (delegate* unmanaged<IntPtr, byte*, int>)Bind("nvrtcGetProgramLog");
        nvrtcGetPTXSize = (delegate* unmanaged<IntPtr, nuint*, int>)Bind("nvrtcGetPTXSize");
        nvrtcGetPTX = (delegate* unmanaged<IntPtr, byte*, int>)Bind("nvrtcGetPTX");
        nvrtcGetCUBINSize = (delegate* unmanaged<IntPtr, nuint*, int>)Bind("nvrtcGetCUBINSize");
        nvrtcGetCUBIN = (delegate* unmanaged<IntPtr, byte*, int>)Bind("nvrtcGetCUBIN");
        nvrtcDestroyProgram = (delegate* unmanaged<IntPtr*, int>)Bind("nvrtcDestroyProgram");
        Path = path;
        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        Version = new Version(major, minor);
        int count;
        Check(nvrtcGetNumSupportedArchs(&count), "nvrtcGetNumSupportedArchs");
        var archs = new int[count];
        fixed (int* a = archs)
        {
            Check(nvrtcGetSupportedArchs(a), "nvrtcGetSupportedArchs");
        }
        SupportedArchitectures = archs;
    }

    /// <summary>The library that was loaded.</summary>
    public string Path { get; }

    /// <summary>NVRTC's version (the CUDA toolkit's).</summary>
    public Version Version { get; }

    /// <summary>The sm_XY numbers (e.g. 80, 90) this NVRTC can compile CUBIN for.</summary>
    public int[] SupportedArchitectures { get; }

    /// <summary>The process's NVRTC, or null with <paramref name="reason"/> when none loads.</summary>
    public static Nvrtc? TryLoad(out string reason)
    {
        (Nvrtc? compiler, reason) = Shared.Value;
        return compiler;
    }

    private static (Nvrtc?, string) Load()
    {
        if (NativeLibraryLocator.TryLoad(NativeLibraryLocator.NvrtcCandidates(), out string tried) is not IntPtr library)
        {
            return (null, $"no NVRTC library could be loaded (tried {tried})");
        }
        try
        {
            return (new Nvrtc(library, tried), "");
        }
        catch (EntryPointNotFoundException e)
        {
            return (null, $"NVRTC at {tried} lacks an entry point PolyComGen needs ({e.Message})");
        }
    }

    /// <summary>The options a compilation for <paramref name="architecture"/> uses (part of the cache key).</summary>
    public (string[] Options, bool IsPtx) OptionsFor(int architecture)
    {
        // Newer devices than this NVRTC knows get PTX for its newest architecture, which the driver JIT-compiles.
        if (Array.IndexOf(SupportedArchitectures, architecture) >= 0)
        {
            return ([$"--gpu-architecture=sm_{architecture}", "--std=c++17"], false);
        }
        int newest = SupportedArchitectures.Length > 0 ? SupportedArchitectures[^1] : architecture;
        return ([$"--gpu-architecture=compute_{Math.Min(newest, architecture)}", "--std=c++17"], true);
    }

    /// <summary>Compiles <paramref name="source"/> for sm_<paramref name="architecture"/>.</summary>
    /// <param name="source">The CUDA translation unit.</param>
    /// <param name="architecture">The device's compute capability as a number, e.g. 90.</param>
    /// <param name="what">What is being compiled, for the error message (e.g. the spec).</param>
    public KernelImage Compile(string source, int architecture, string what)
    {
        var (options, isPtx) = OptionsFor(architecture);
        IntPtr program;
        byte[] sourceBytes = Utf8(source), nameBytes = Utf8("polycom.cu");
        fixed (byte* s = sourceBytes, n = nameBytes)
        {
            Check(nvrtcCreateProgram(&program, s, n, 0, null, null), "nvrtcCreateProgram", what);
        }
        try
        {
            byte[][] optionBytes = Array.ConvertAll(options, Utf8);
            var handles = new GCHandle[optionBytes.Length];
            var pointers = new byte*[optionBytes.Length];
            try
            {
                for (int i = 0; i < optionBytes.Length; i++)
                {
                    handles[i] = GCHandle.Alloc(optionBytes[i], GCHandleType.Pinned);
                    pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                }
                int result;
                fixed (byte** p = pointers)
                {
                    result = nvrtcCompileProgram(program, pointers.Length, p);
                }
                if (result != 0)
                {
                    throw new NvrtcException($"NVRTC {Version} ({string.Join(" ", options)}) failed with {ErrorString(result)}", Log(program), what);
                }
            }
            finally
            {
                foreach (GCHandle handle in handles)
                {
                    if (handle.IsAllocated)
                    {
                        handle.Free();
                    }
                }
            }
            nuint size;
            if (isPtx)
            {
                Check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize", what);
            }
            else
            {
                Check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize", what);
            }
            var image = new byte[size];
            fixed (byte* i = image)
            {
                Check(isPtx ? nvrtcGetPTX(program, i) : nvrtcGetCUBIN(program, i), isPtx ? "nvrtcGetPTX" : "nvrtcGetCUBIN", what);
            }
            return new KernelImage(image, isPtx ? KernelImageKind.Ptx : KernelImageKind.Cubin);
        }
        finally
        {
            nvrtcDestroyProgram(&program);
        }
    }

    private string Log(IntPtr program)
    {
        nuint size;
        if (nvrtcGetProgramLogSize(program, &size) != 0 || size <= 1)
        {
            return "";
        }
        var log = new byte[size];
        fixed (byte* l = log)
        {
            nvrtcGetProgramLog(program, l);
        }
        return Encoding.UTF8.GetString(log, 0, (int)size - 1);
    }

    private string ErrorString(int result) => Marshal.PtrToStringUTF8((IntPtr)nvrtcGetErrorString(result)) ?? $"NVRTC error {result}";

    private void Check(int result, string call, string what = "")
    {
        if (result != 0)
        {
            throw new NvrtcException($"{call} failed with {ErrorString(result)}", "", what.Length > 0 ? what : "(no program)");
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");
}
