using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>A per-segment statistic: the terms of every element combined, then available by <see cref="Name"/>.</summary>
internal sealed record Reduction(string Name, ReductionKind Kind, Expr Term);
