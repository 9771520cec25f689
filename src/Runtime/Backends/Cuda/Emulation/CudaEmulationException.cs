using System;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>The emulated CUDA device could not compile a translation unit, or a launch failed.</summary>
public sealed class CudaEmulationException(string message) : Exception(message);
