namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>The order in which the emulated device runs the threads of a block between synchronisation points.</summary>
public enum EmulationSchedule
{
    /// <summary>Sweeps over the threads in index order, each to its next barrier or shuffle.</summary>
    ThreadOrder = 0,

    /// <summary>Sweeps in a random order, drawn anew for every sweep from <see cref="CudaEmulationOptions.Seed"/>.</summary>
    Random = 1,

    /// <summary>One warp at a time: warp 0 runs until all its threads wait at a barrier, then warp 1, and so on.</summary>
    WarpByWarp = 2,
}
