namespace PolyComGen.Backends.Cuda;

/// <summary>A compiled kernel image.</summary>
internal sealed record KernelImage(byte[] Bytes, KernelImageKind Kind)
{
    /// <summary>True when the image is PTX (for the driver to JIT) rather than machine code.</summary>
    public bool IsPtx => Kind == KernelImageKind.Ptx;
}
