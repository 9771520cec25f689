using System.Runtime.InteropServices;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>The launch configuration the emulation header reads (pcg_emu::Config).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EmulatedLaunchConfig
{
    public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ;
    public int Schedule;
    public ulong Seed;
}
