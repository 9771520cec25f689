using System;

namespace PolyComGen.Backends.Cuda;

/// <summary>A CUDA driver call failed: the call, the error's name and the driver's description of it.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception for a failed <paramref name="call"/>.</summary>
    public CudaException(CudaResult result, string call, string name, string description)
        : base($"{call} failed with {name} ({(int)result}): {description}")
    {
        Result = result;
        Call = call;
    }

    /// <summary>The driver's error code.</summary>
    public CudaResult Result { get; }

    /// <summary>The failing call, as written at the call site.</summary>
    public string Call { get; }
}

/// <summary>NVRTC could not compile a translation unit; carries the whole compile log and what was compiled.</summary>
public sealed class NvrtcException : Exception
{
    /// <summary>Creates the exception with NVRTC's <paramref name="log"/> for the compilation of <paramref name="what"/>.</summary>
    public NvrtcException(string message, string log, string what)
        : base($"{message} while compiling {what}.{(log.Length > 0 ? Environment.NewLine + "NVRTC log:" + Environment.NewLine + log : "")}")
    {
        Log = log;
    }

    /// <summary>NVRTC's compile log.</summary>
    public string Log { get; }
}

/// <summary>The CUDA path was asked for on a machine without a usable driver or NVRTC.</summary>
public sealed class CudaNotAvailableException : NotSupportedException
{
    /// <summary>Creates the exception with the <paramref name="reason"/> CUDA is unavailable.</summary>
    public CudaNotAvailableException(string reason) : base($"CUDA is not available: {reason}") { }
}

/// <summary>CUDA driver API results (the ones PolyComGen names; others keep their number).</summary>
public enum CudaResult
{
    /// <summary>CUDA_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUDA_ERROR_INVALID_VALUE.</summary>
    InvalidValue = 1,
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 2,
    /// <summary>CUDA_ERROR_NOT_INITIALIZED.</summary>
    NotInitialized = 3,
    /// <summary>CUDA_ERROR_DEINITIALIZED.</summary>
    Deinitialized = 4,
    /// <summary>CUDA_ERROR_NO_DEVICE.</summary>
    NoDevice = 100,
    /// <summary>CUDA_ERROR_INVALID_DEVICE.</summary>
    InvalidDevice = 101,
    /// <summary>CUDA_ERROR_INVALID_IMAGE.</summary>
    InvalidImage = 200,
    /// <summary>CUDA_ERROR_INVALID_CONTEXT.</summary>
    InvalidContext = 201,
    /// <summary>CUDA_ERROR_NO_BINARY_FOR_GPU.</summary>
    NoBinaryForGpu = 209,
    /// <summary>CUDA_ERROR_INVALID_PTX.</summary>
    InvalidPtx = 218,
    /// <summary>CUDA_ERROR_UNSUPPORTED_PTX_VERSION.</summary>
    UnsupportedPtxVersion = 222,
    /// <summary>CUDA_ERROR_NOT_FOUND.</summary>
    NotFound = 500,
    /// <summary>CUDA_ERROR_ILLEGAL_ADDRESS.</summary>
    IllegalAddress = 700,
    /// <summary>CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES.</summary>
    LaunchOutOfResources = 701,
    /// <summary>CUDA_ERROR_LAUNCH_FAILED.</summary>
    LaunchFailed = 719,
}
