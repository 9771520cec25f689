namespace PolyComGen.Generator.Expressions.Language;

/// <summary>A mistake in an Inner expression: where it is in the text (start and length) and what to say.</summary>
internal sealed record ExpressionError(ExpressionErrorKind Kind, int Start, int Length, string Message);
