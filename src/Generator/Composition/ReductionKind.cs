namespace PolyComGen.Generator.Composition;

/// <summary>How a reduction combines a pass's per-element terms over a segment.</summary>
internal enum ReductionKind
{
    /// <summary>The sum (in a fixed order, so deterministic).</summary>
    Sum,

    /// <summary>The largest value (the terms are magnitudes, so 0 is the identity).</summary>
    Max,
}
