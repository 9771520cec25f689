using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>An element output and the expression a pass stores into it.</summary>
internal sealed record Store(ElementOutput Output, Expr Value);
