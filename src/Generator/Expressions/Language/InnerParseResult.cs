
namespace PolyComGen.Generator.Expressions.Language;

/// <summary>The inner function an Inner text declares, or the first mistake in it.</summary>
internal sealed record InnerParseResult(InnerFunction? Inner, ExpressionError? Error);
