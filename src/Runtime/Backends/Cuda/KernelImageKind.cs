namespace PolyComGen.Backends.Cuda;

/// <summary>What a compiled kernel image is.</summary>
internal enum KernelImageKind
{
    /// <summary>Machine code for one GPU architecture.</summary>
    Cubin = 0,

    /// <summary>PTX, for the driver to JIT-compile.</summary>
    Ptx = 1,

    /// <summary>A host shared library: the translation unit compiled for the emulated device.</summary>
    HostLibrary = 2,
}
