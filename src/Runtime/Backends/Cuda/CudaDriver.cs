using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// The CUDA driver API entry points PolyComGen uses, bound at run time from libcuda. Raw calls return
/// <see cref="CudaResult"/>; <see cref="ThrowIfFailed"/> turns a failure into a <see cref="CudaException"/> that
/// names the call. On a machine without a driver, <see cref="TryLoad"/> returns null with the reason: nothing
/// is bound at type load, so nothing crashes.
/// </summary>
internal sealed unsafe class CudaDriver
{
    private static readonly Lazy<(CudaDriver? Driver, string Reason)> Shared = new(Load);

    private CudaDriver(IntPtr library)
    {
        IntPtr Bind(string name) => NativeLibrary.GetExport(library, name);
        cuInit = (delegate* unmanaged<uint, CudaResult>)Bind("cuInit");
        cuDriverGetVersion = (delegate* unmanaged<int*, CudaResult>)Bind("cuDriverGetVersion");
        cuDeviceGet = (delegate* unmanaged<int*, int, CudaResult>)Bind("cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, CudaResult>)Bind("cuDeviceGetName");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, CudaResult>)Bind("cuDeviceGetAttribute");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, CudaResult>)Bind("cuDevicePrimaryCtxRetain");
        cuCtxPushCurrent = (delegate* unmanaged<IntPtr, CudaResult>)Bind("cuCtxPushCurrent_v2");
        cuCtxPopCurrent = (delegate* unmanaged<IntPtr*, CudaResult>)Bind("cuCtxPopCurrent_v2");
        cuModuleLoadDataEx = (delegate* unmanaged<IntPtr*, byte*, uint, int*, IntPtr*, CudaResult>)Bind("cuModuleLoadDataEx");
        cuModuleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, CudaResult>)Bind("cuModuleGetFunction");
        cuLaunchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, CudaResult>)Bind("cuLaunchKernel");
        cuMemAlloc = (delegate* unmanaged<ulong*, nuint, CudaResult>)Bind("cuMemAlloc_v2");
        cuMemFree = (delegate* unmanaged<ulong, CudaResult>)Bind("cuMemFree_v2");
        cuMemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, CudaResult>)Bind("cuMemcpyHtoD_v2");
        cuMemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, CudaResult>)Bind("cuMemcpyDtoH_v2");
        cuMemcpyDtoD = (delegate* unmanaged<ulong, ulong, nuint, CudaResult>)Bind("cuMemcpyDtoD_v2");
        cuEventCreate = (delegate* unmanaged<IntPtr*, uint, CudaResult>)Bind("cuEventCreate");
        cuEventRecord = (delegate* unmanaged<IntPtr, IntPtr, CudaResult>)Bind("cuEventRecord");
        cuEventSynchronize = (delegate* unmanaged<IntPtr, CudaResult>)Bind("cuEventSynchronize");
        cuEventElapsedTime = (delegate* unmanaged<float*, IntPtr, IntPtr, CudaResult>)Bind("cuEventElapsedTime");
        cuEventDestroy = (delegate* unmanaged<IntPtr, CudaResult>)Bind("cuEventDestroy_v2");
        cuGetErrorName = (delegate* unmanaged<CudaResult, byte**, CudaResult>)Bind("cuGetErrorName");
        cuGetErrorString = (delegate* unmanaged<CudaResult, byte**, CudaResult>)Bind("cuGetErrorString");
    }

    /// <summary>The process's driver, or null with <paramref name="reason"/> when there is none or it cannot initialise.</summary>
    public static CudaDriver? TryLoad(out string reason)
    {
        (CudaDriver? driver, reason) = Shared.Value;
        return driver;
    }

    /// <summary>The process's driver; throws <see cref="CudaNotAvailableException"/> when there is none.</summary>
    public static CudaDriver Instance => TryLoad(out string reason) ?? throw new CudaNotAvailableException(reason);

    private static (CudaDriver?, string) Load()
    {
        if (NativeLibraryLocator.TryLoad(NativeLibraryLocator.DriverCandidates, out string tried) is not IntPtr library)
        {
            return (null, $"no CUDA driver library could be loaded (tried {tried})");
        }
        try
        {
            var driver = new CudaDriver(library);
            CudaResult init = driver.cuInit(0);
            if (init != CudaResult.Success)
            {
                return (null, $"cuInit failed with {driver.ErrorName(init)}: {driver.ErrorString(init)}");
            }
            return (driver, "");
        }
        catch (EntryPointNotFoundException e)
        {
            return (null, $"the CUDA driver at {tried} lacks an entry point PolyComGen needs ({e.Message})");
        }
    }

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> when <paramref name="result"/> is not success.</summary>
    public void ThrowIfFailed(CudaResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != CudaResult.Success)
        {
            throw new CudaException(result, call, ErrorName(result), ErrorString(result));
        }
    }

    /// <summary>The driver's name of an error, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public string ErrorName(CudaResult result)
    {
        byte* text;
        return cuGetErrorName(result, &text) == CudaResult.Success ? Marshal.PtrToStringUTF8((IntPtr)text) ?? "" : $"CUDA error {(int)result}";
    }

    /// <summary>The driver's description of an error.</summary>
    public string ErrorString(CudaResult result)
    {
        byte* text;
        return cuGetErrorString(result, &text) == CudaResult.Success ? Marshal.PtrToStringUTF8((IntPtr)text) ?? "" : "unknown error";
    }

    // The bound entry points, named as in cuda.h.
#pragma warning disable IDE1006, SA1300 // the C names, on purpose
    public readonly delegate* unmanaged<uint, CudaResult> cuInit;
    public readonly delegate* unmanaged<int*, CudaResult> cuDriverGetVersion;
    public readonly delegate* unmanaged<int*, int, CudaResult> cuDeviceGet;
    public readonly delegate* unmanaged<byte*, int, int, CudaResult> cuDeviceGetName;
    public readonly delegate* unmanaged<int*, int, int, CudaResult> cuDeviceGetAttribute;
    public readonly delegate* unmanaged<IntPtr*, int, CudaResult> cuDevicePrimaryCtxRetain;
    public readonly delegate* unmanaged<IntPtr, CudaResult> cuCtxPushCurrent;
    public readonly delegate* unmanaged<IntPtr*, CudaResult> cuCtxPopCurrent;
    public readonly delegate* unmanaged<IntPtr*, byte*, uint, int*, IntPtr*, CudaResult> cuModuleLoadDataEx;
    public readonly delegate* unmanaged<IntPtr*, IntPtr, byte*, CudaResult> cuModuleGetFunction;
    public readonly delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, CudaResult> cuLaunchKernel;
    public readonly delegate* unmanaged<ulong*, nuint, CudaResult> cuMemAlloc;
    public readonly delegate* unmanaged<ulong, CudaResult> cuMemFree;
    public readonly delegate* unmanaged<ulong, void*, nuint, CudaResult> cuMemcpyHtoD;
    public readonly delegate* unmanaged<void*, ulong, nuint, CudaResult> cuMemcpyDtoH;
    public readonly delegate* unmanaged<ulong, ulong, nuint, CudaResult> cuMemcpyDtoD;
    public readonly delegate* unmanaged<IntPtr*, uint, CudaResult> cuEventCreate;
    public readonly delegate* unmanaged<IntPtr, IntPtr, CudaResult> cuEventRecord;
    public readonly delegate* unmanaged<IntPtr, CudaResult> cuEventSynchronize;
    public readonly delegate* unmanaged<float*, IntPtr, IntPtr, CudaResult> cuEventElapsedTime;
    public readonly delegate* unmanaged<IntPtr, CudaResult> cuEventDestroy;
    public readonly delegate* unmanaged<CudaResult, byte**, CudaResult> cuGetErrorName;
    public readonly delegate* unmanaged<CudaResult, byte**, CudaResult> cuGetErrorString;
#pragma warning restore IDE1006, SA1300

    /// <summary>CU_DEVICE_ATTRIBUTE_* values used here.</summary>
    public static class DeviceAttribute
    {
        public const int MultiprocessorCount = 16;
        public const int ComputeCapabilityMajor = 75;
        public const int ComputeCapabilityMinor = 76;
    }

    /// <summary>CUjit_option values for the JIT error log of cuModuleLoadDataEx.</summary>
    internal static class JitOption
    {
        public const int ErrorLogBuffer = 5;
        public const int ErrorLogBufferSizeBytes = 6;
    }
}
