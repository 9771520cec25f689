namespace PolyComGen.Backends.Cuda;

/// <summary>A spec's translation unit, loaded on a device.</summary>
internal interface ICudaModule
{
    /// <summary>Launches the entry point <paramref name="entry"/> on a one-dimensional grid.</summary>
    void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments);
}
