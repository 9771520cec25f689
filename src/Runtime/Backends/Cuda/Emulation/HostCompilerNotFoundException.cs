using System;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>The emulated CUDA device was asked for, but no host C++ compiler was found; the message says where it looked.</summary>
public sealed class HostCompilerNotFoundException(string reason) : NotSupportedException(reason);
