using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// The built-in inner functions, each an expression in u (norm's body is u itself). Adding one is adding a row.
/// </summary>
internal static class BuiltInFunctions
{
    private static readonly Expr U = Expr.Var(InnerFunction.U);

    private static Expr C(Operation op, Expr a) => Expr.Call(op, a);

    /// <summary>Canonical name → (body in u, normalised, the function's name in the expression language).</summary>
    private static readonly (string Name, Expr Body, bool Normalized, string Function)[] Rows =
    [
        ("Norm", U, true, "norm"),
        ("ReLU", C(Operations.Relu, U), false, "relu"),
        ("Identity", U, false, "identity"),
        ("Abs", C(Operations.Abs, U), false, "abs"),
        ("Square", Expr.Pow(U, 2), false, "square"),
        ("Sigmoid", C(Operations.Sigmoid, U), false, "sigmoid"),
        ("Tanh", C(Operations.Tanh, U), false, "tanh"),
        ("SiLU", U * C(Operations.Sigmoid, U), false, "silu"),
        ("GELU", 0.5 * U * (1 + C(Operations.Erf, 0.7071067811865476 * U)), false, "gelu"),
        ("GELUTanh", 0.5 * U * (1 + C(Operations.Tanh, 0.7978845608028654 * (U + 0.044715 * Expr.Pow(U, 3)))), false, "gelu_tanh"),
        ("Softplus", C(Operations.Softplus, U), false, "softplus"),
    ];

    /// <summary>The elementwise built-ins as the expression language calls them (<c>gelu_tanh(x)</c>), with their inner functions.</summary>
    public static IEnumerable<(string Function, InnerFunction Inner)> ElementwiseFunctions =>
        Rows.Where(r => !r.Normalized).Select(r => (r.Function, Get(r.Name)));

    /// <summary>Every canonical name, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Names = Rows.Select(r => r.Name).ToList();

    /// <summary>The canonical spelling of <paramref name="name"/> (case-insensitive), or null when not a built-in.</summary>
    public static string? Canonical(string? name) =>
        name is null ? null : Names.FirstOrDefault(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The inner function of a built-in's canonical name.</summary>
    public static InnerFunction Get(string canonicalName)
    {
        var row = Rows.First(r => r.Name == canonicalName);
        return new InnerFunction(Simplifier.Simplify(row.Body), row.Normalized, row.Name);
    }

    /// <summary>The known name closest to <paramref name="name"/> by edit distance, ignoring case.</summary>
    public static string Nearest(string name, IEnumerable<string> candidates) =>
        candidates.OrderBy(n => EditDistance(n.ToLowerInvariant(), name.ToLowerInvariant())).First();

    private static int EditDistance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
