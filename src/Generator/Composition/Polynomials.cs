using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>Expressions that are polynomials in one variable: their coefficients, and Horner's rule.</summary>
internal static class Polynomials
{
    /// <summary>
    /// The highest degree expanded into coefficients: beyond it an expression is left as written (its powers computed by
    /// squaring), so that (x^32 + 1)^32 of order 8, a polynomial of degree 8192, costs no expansion.
    /// </summary>
    public const int MaxDegree = 64;

    /// <summary>
    /// The coefficients c_n of <paramref name="e"/> = sum c_n v^n, when <paramref name="e"/> is a polynomial in
    /// <paramref name="variable"/> (sums, differences, products and whole positive powers of such, with coefficients
    /// that do not depend on it); null otherwise.
    /// </summary>
    public static SortedDictionary<int, Expr>? Coefficients(Expr e, string variable)
    {
        if (!e.DependsOn(variable))
        {
            return new SortedDictionary<int, Expr> { [0] = e };
        }
        switch (e)
        {
            case Variable:
                return new SortedDictionary<int, Expr> { [1] = Expr.One };
            case Power p when p.Exponent >= 1:
            {
                SortedDictionary<int, Expr>? b = Coefficients(p.Base, variable);
                if (b is null)
                {
                    return null;
                }
                if (b.Keys.Max() * (long)p.Exponent > MaxDegree)
                {
                    return null;
                }
                SortedDictionary<int, Expr> result = b;
                for (int i = 1; i < p.Exponent; i++)
                {
                    result = Product(result, b);
                }
                return result;
            }
            case Call c when c.Operation == Operations.Add || c.Operation == Operations.Subtract:
            {
                var a = Coefficients(c.Arguments[0], variable);
                var b = Coefficients(c.Arguments[1], variable);
                if (a is null || b is null)
                {
                    return null;
                }
                foreach (KeyValuePair<int, Expr> entry in b)
                {
                    Expr term = c.Operation == Operations.Add ? entry.Value : -entry.Value;
                    Accumulate(a, entry.Key, term);
                }
                return a;
            }
            case Call c when c.Operation == Operations.Negate:
            {
                var a = Coefficients(c.Arguments[0], variable);
                return a is null ? null : new SortedDictionary<int, Expr>(a.ToDictionary(t => t.Key, t => Simplifier.Simplify(-t.Value)));
            }
            case Call c when c.Operation == Operations.Multiply:
            {
                var a = Coefficients(c.Arguments[0], variable);
                var b = Coefficients(c.Arguments[1], variable);
                return a is null || b is null || a.Keys.Max() + b.Keys.Max() > MaxDegree ? null : Product(a, b);
            }
            default:
                return null;
        }
    }

    private static SortedDictionary<int, Expr> Product(SortedDictionary<int, Expr> a, SortedDictionary<int, Expr> b)
    {
        var result = new SortedDictionary<int, Expr>();
        foreach (KeyValuePair<int, Expr> x in a)
        {
            foreach (KeyValuePair<int, Expr> y in b)
            {
                Accumulate(result, x.Key + y.Key, x.Value * y.Value);
            }
        }
        return result;
    }

    private static void Accumulate(SortedDictionary<int, Expr> coefficients, int degree, Expr term) =>
        coefficients[degree] = Simplifier.Simplify(coefficients.ContainsKey(degree) ? coefficients[degree] + term : term);

    /// <summary>c_0 + v (c_1 + v (c_2 + ...)) over the given coefficients (absent ones are zero).</summary>
    public static Expr Horner(IReadOnlyDictionary<int, Expr> coefficients, Expr v)
    {
        int degree = coefficients.Keys.Max();
        Expr result = coefficients[degree];
        for (int n = degree - 1; n >= 0; n--)
        {
            result = coefficients.ContainsKey(n) ? coefficients[n] + v * result : v * result;
        }
        return Simplifier.Simplify(result);
    }

    /// <summary>
    /// <paramref name="e"/> by Horner's rule in <paramref name="variable"/> when it is a polynomial in it whose
    /// coefficients are free of every variable in <paramref name="varying"/> (so they can be computed once); else as is.
    /// </summary>
    public static Expr HornerIfPolynomial(Expr e, Variable variable, IReadOnlyCollection<string> varying)
    {
        SortedDictionary<int, Expr>? coefficients = Coefficients(e, variable.Name);
        if (coefficients is null || coefficients.Count < 2 || coefficients.Values.Any(c => varying.Any(c.DependsOn)))
        {
            return e;
        }
        return Horner(coefficients, variable);
    }
}
