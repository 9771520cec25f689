using System;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>How the emulated device runs a launch.</summary>
/// <param name="Schedule">The thread order between synchronisation points.</param>
/// <param name="Seed">The seed of <see cref="EmulationSchedule.Random"/>.</param>
/// <param name="Multiprocessors">The multiprocessors the launch geometry is sized for: few, so grids stride.</param>
public sealed record CudaEmulationOptions(EmulationSchedule Schedule = EmulationSchedule.ThreadOrder, ulong Seed = 0, int Multiprocessors = 2)
{
    /// <summary>The multiprocessors the launch geometry is sized for (at least 1).</summary>
    public int Multiprocessors { get; init; } = Multiprocessors > 0 ? Multiprocessors : throw new ArgumentOutOfRangeException(nameof(Multiprocessors), Multiprocessors, "At least one multiprocessor.");
}
