using System;

namespace PolyComGen.Generator.Expressions;

/// <summary>Symbolic derivatives, simplified.</summary>
internal static class Differentiation
{
    /// <summary>d<paramref name="e"/>/d<paramref name="variable"/>; every other variable is a constant.</summary>
    public static Expr Derivative(Expr e, string variable) => Simplifier.Simplify(D(e, variable) ?? Expr.Zero);

    // Null stands for a derivative that is zero because e does not depend on the variable: products with it are
    // dropped rather than built as 0 * f, which simplification may not remove (f could be infinite).
    private static Expr? D(Expr e, string variable)
    {
        if (!e.DependsOn(variable))
        {
            return null;
        }
        switch (e)
        {
            case Variable:
                return Expr.One;
            case Power p:
                return Times(new Constant(p.Exponent) * Expr.Pow(p.Base, p.Exponent - 1), D(p.Base, variable));
            case Call c:
            {
                Expr[] arguments = c.Arguments.AsSpan().ToArray();
                Expr[] partials = c.Operation.Derivatives(arguments);
                Expr? sum = null;
                for (int i = 0; i < arguments.Length; i++)
                {
                    if (partials[i] is Constant { Value: 0 })
                    {
                        continue;
                    }
                    Expr? term = Times(partials[i], D(arguments[i], variable));
                    sum = term is null ? sum : sum is null ? term : sum + term;
                }
                return sum;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown expression node.");
        }
    }

    private static Expr? Times(Expr factor, Expr? derivative) => derivative is null ? null : factor * derivative;
}
