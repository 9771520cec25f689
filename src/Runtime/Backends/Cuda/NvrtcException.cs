using System;

namespace PolyComGen.Backends.Cuda;

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
