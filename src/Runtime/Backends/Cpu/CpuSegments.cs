using System;
using PolyComGen.Contract;

namespace PolyComGen.Backends.Cpu;

/// <summary>
/// How the CPU kernels cut a tensor into segments, each a call with one group's parameters: a row for rowwise specs
/// (norm), runs of <see cref="KernelContract.ElementwiseSegmentLength"/> elements for elementwise ones, and for
/// grouped elementwise specs each group's run of every row (H / Groups elements), with that group's parameters. The
/// CPU backend and the parity checker cut the same way, so their partials, summed in segment order, agree bitwise.
/// </summary>
/// <param name="TotalElements">The tensor's elements.</param>
/// <param name="SegmentLength">Elements per segment (the last may be shorter).</param>
/// <param name="Count">The number of segments.</param>
/// <param name="Groups">The parameter groups segments cycle through (1 unless grouped and elementwise).</param>
/// <param name="Columns">
/// The parameters a call takes and the gradient partials it writes: one group's slots for a grouped elementwise spec,
/// else the whole parameter vector (a rowwise kernel sweeps every group of its row itself).
/// </param>
public readonly record struct CpuSegments(long TotalElements, int SegmentLength, long Count, int Groups, int Columns)
{
    /// <summary>The segments of a tensor of <paramref name="total"/> elements with rows of <paramref name="width"/>.</summary>
    public static CpuSegments Of(KernelDescriptor descriptor, long total, long width)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Groups > 1 && !descriptor.Rowwise)
        {
            int run = checked((int)(width / descriptor.Groups));
            return new CpuSegments(total, run, run == 0 ? 0 : total / run, descriptor.Groups, descriptor.ParameterNames.Count);
        }
        int length = descriptor.Rowwise ? checked((int)width) : (int)Math.Min(KernelContract.ElementwiseSegmentLength, total);
        long count = length == 0 ? 0 : (total + length - 1) / length;
        return new CpuSegments(total, length, count, 1, descriptor.ParameterCount);
    }

    /// <summary>Where segment <paramref name="segment"/>'s parameters and partials start in the parameter vector.</summary>
    public int Offset(long segment) => this[segment].Group * Columns;

    /// <summary>Segment <paramref name="segment"/>: where it starts, its length, and the group of parameters it uses.</summary>
    public (long Start, int Length, int Group) this[long segment]
    {
        get
        {
            long start = segment * SegmentLength;
            return (start, (int)Math.Min(SegmentLength, TotalElements - start), (int)(segment % Groups));
        }
    }
}
