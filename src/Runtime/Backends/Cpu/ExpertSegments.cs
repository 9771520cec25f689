using System;
using System.Collections.Generic;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cpu;

/// <summary>
/// The segments of one CPU call: the <see cref="CpuSegments"/> of each expert's rows, expert after expert (so no
/// segment spans two experts), each with where its elements start and where its expert's and group's parameters (and
/// gradient partials) start in the module's parameter vector. Without experts, the segments of the whole tensor.
/// </summary>
internal sealed class ExpertSegments
{
    private readonly CpuSegments[] _layouts;
    private readonly long[] _firstSegment;
    private readonly long[] _firstElement;
    private readonly int[] _firstParameter;

    private ExpertSegments(CpuSegments[] layouts, long[] firstSegment, long[] firstElement, int[] firstParameter, int columns)
    {
        _layouts = layouts;
        _firstSegment = firstSegment;
        _firstElement = firstElement;
        _firstParameter = firstParameter;
        Columns = columns;
        for (int i = 0; i < layouts.Length; i++)
        {
            Count += layouts[i].Count;
            TotalElements += layouts[i].TotalElements;
        }
    }

    /// <summary>The segments of all experts.</summary>
    public long Count { get; }

    /// <summary>The elements of all segments.</summary>
    public long TotalElements { get; }

    /// <summary>The parameters a call takes and the partials it writes (<see cref="CpuSegments.Columns"/>).</summary>
    public int Columns { get; }

    /// <summary>The segments of <paramref name="x"/>, by expert when <paramref name="experts"/> is given (experts without rows have none).</summary>
    public static ExpertSegments Of(KernelDescriptor descriptor, Tensor x, ExpertRows? experts)
    {
        long width = x.dim() == 0 ? 1 : x.shape[^1];
        if (experts is null)
        {
            CpuSegments whole = CpuSegments.Of(descriptor, x.numel(), width);
            return new ExpertSegments([whole], [0], [0], [0], whole.Columns);
        }
        var layouts = new List<CpuSegments>();
        var firstSegment = new List<long>();
        var firstElement = new List<long>();
        var firstParameter = new List<int>();
        long segments = 0;
        for (int e = 0; e < experts.Experts; e++)
        {
            var (start, count) = experts[e];
            if (count == 0 || width == 0)
            {
                continue;
            }
            CpuSegments layout = CpuSegments.Of(descriptor, count * width, width);
            layouts.Add(layout);
            firstSegment.Add(segments);
            firstElement.Add(start * width);
            firstParameter.Add(e * descriptor.ParameterCount);
            segments += layout.Count;
        }
        return new ExpertSegments([.. layouts], [.. firstSegment], [.. firstElement], [.. firstParameter], CpuSegments.Of(descriptor, 0, width).Columns);
    }

    /// <summary>Segment <paramref name="segment"/>: its first element in the tensor, its length, and its first parameter in the module's vector.</summary>
    public (long Start, int Length, int ParameterOffset) this[long segment]
    {
        get
        {
            int expert = Array.BinarySearch(_firstSegment, segment);
            expert = expert >= 0 ? expert : ~expert - 1;
            CpuSegments layout = _layouts[expert];
            long local = segment - _firstSegment[expert];
            var (start, length, _) = layout[local];
            return (_firstElement[expert] + start, length, _firstParameter[expert] + layout.Offset(local));
        }
    }
}
