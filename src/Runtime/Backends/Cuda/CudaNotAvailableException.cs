using System;

namespace PolyComGen.Backends.Cuda;

/// <summary>The CUDA path was asked for on a machine without a usable driver or NVRTC.</summary>
public sealed class CudaNotAvailableException : NotSupportedException
{
    /// <summary>Creates the exception with the <paramref name="reason"/> CUDA is unavailable.</summary>
    public CudaNotAvailableException(string reason) : base($"CUDA is not available: {reason}") { }
}
