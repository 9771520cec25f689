using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>The launch configuration the emulation header reads (pcg_emu::Config).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EmulatedLaunchConfig
{
    public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ;
    public int Schedule;
    public ulong Seed;
}
