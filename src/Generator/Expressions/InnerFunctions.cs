using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// The built-in inner functions rho. Each elementwise one is an expression in u; its derivative comes from
/// <see cref="Differentiation"/>. Norm, the one row-wise operator, has no expression: its kernels are
/// written by the emitters from the closed forms in MATH.md.
/// </summary>
internal static class InnerFunctions
{
    public const string Norm = "Norm";

    private static readonly Dictionary<string, Expr> Elementwise = new()
    {
        ["ReLU"] = Expr.Max(Expr.U, 0),
        ["Identity"] = Expr.U,
        ["Abs"] = Expr.Apply(UnaryOp.Abs, Expr.U),
        ["Square"] = Expr.Pow(Expr.U, 2),
        ["Sigmoid"] = Expr.Apply(UnaryOp.Sigmoid, Expr.U),
        ["Tanh"] = Expr.Apply(UnaryOp.Tanh, Expr.U),
        ["SiLU"] = Expr.U * Expr.Apply(UnaryOp.Sigmoid, Expr.U),
        ["GELU"] = 0.5 * Expr.U * (1 + Expr.Apply(UnaryOp.Erf, Expr.U * (1 / Math.Sqrt(2)))),
        ["GELUTanh"] = 0.5 * Expr.U * (1 + Expr.Apply(UnaryOp.Tanh, Math.Sqrt(2 / Math.PI) * (Expr.U + 0.044715 * Expr.Pow(Expr.U, 3)))),
        ["Softplus"] = Expr.Apply(UnaryOp.Softplus, Expr.U),
    };

    /// <summary>Every canonical name, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Names =
        new[] { Norm, "ReLU", "Identity", "Abs", "Square", "Sigmoid", "Tanh", "SiLU", "GELU", "GELUTanh", "Softplus" };

    /// <summary>The canonical spelling of <paramref name="name"/> (case-insensitive), or null when unknown.</summary>
    public static string? Canonical(string? name) =>
        name is null ? null : Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The expression of an elementwise inner function (not Norm), simplified.</summary>
    public static Expr Definition(string canonicalName) => Simplifier.Simplify(Elementwise[canonicalName]);

    /// <summary>The known name closest to <paramref name="name"/> by edit distance, ignoring case.</summary>
    public static string Nearest(string name) =>
        Names.OrderBy(n => EditDistance(n.ToLowerInvariant(), name.ToLowerInvariant())).First();

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
