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
