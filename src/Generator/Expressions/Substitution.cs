using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>Replacing variables.</summary>
internal static class Substitution
{
    /// <summary><paramref name="e"/> with every <paramref name="variable"/> replaced by <paramref name="replacement"/>, simplified.</summary>
    public static Expr Substitute(this Expr e, string variable, Expr replacement) => Simplifier.Simplify(Replace(e, variable, replacement));

    private static Expr Replace(Expr e, string variable, Expr replacement) => e switch
    {
        Variable v when v.Name == variable => replacement,
        Call c => new Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(a => Replace(a, variable, replacement)).ToArray()),
        Power p => new Power(Replace(p.Base, variable, replacement), p.Exponent),
        _ => e,
    };
}
