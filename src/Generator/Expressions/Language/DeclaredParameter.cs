namespace PolyComGen.Generator.Expressions.Language;

/// <summary>One <c>name = value</c> of a Parameters string, with where its name is in the text.</summary>
internal sealed record DeclaredParameter(string Name, double Initial, int Start, int Length);
