namespace PolyComGen.Backends.Cuda;

/// <summary>The device pointers and sizes of one launch, by what the kernel contract says they are.</summary>
internal readonly record struct KernelBuffers(
    ulong X, ulong Gate, ulong Dy, ulong Output, ulong GateGradient, ulong Parameters, ulong Partials,
    ulong ParameterGradient, long Rows, long Width, long PartialRows, ulong Counter = 0, ulong Offsets = 0);
