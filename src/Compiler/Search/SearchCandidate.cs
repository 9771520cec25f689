using System.Globalization;

namespace PolyComGen.Compiler.Search;

/// <summary>A PolyCom drawn by the search: its inner function, type and order, and the canonical key it is deduplicated by.</summary>
/// <param name="Inner">The inner function as written: an expression in x, possibly inside norm(...).</param>
/// <param name="Type">1: sum w_i rho(x)^i + b; 2: sum w_i rho(x^i) + b.</param>
/// <param name="Order">The polynomial's order.</param>
/// <param name="Key">Type, order and the canonical form of the inner function: equal for spellings of one activation.</param>
public sealed record SearchCandidate(string Inner, int Type, int Order, string Key)
{
    /// <summary>The declaration, ready for <see cref="PolyComCompiler.Compile(string, string?)"/> or to paste on a class.</summary>
    public string Declaration => string.Create(CultureInfo.InvariantCulture, $"PolyCom(Order = {Order}, Inner = \"{Inner}\", Type = {Type})");
}
