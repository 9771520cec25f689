namespace PolyComGen.Backends.Cuda;

/// <summary>A spec's translation unit, loaded on a device.</summary>
internal interface ICudaModule
{
    /// <summary>
    /// Launches the entry point <paramref name="entry"/> on a grid of <paramref name="blocks"/> by <paramref name="gridRows"/>
    /// blocks (a row per expert for kernels with experts, <see cref="Contract.KernelContract.ExpertGrid"/>; else one).
    /// </summary>
    void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, uint gridRows = 1);

    /// <summary>
    /// The device address of a zeroed 32-bit word in which a backward counts its finished blocks (the last one sets it
    /// back to 0). The module's launches run one after another (one stream), so one word serves all of them.
    /// </summary>
    ulong Counter { get; }
}
