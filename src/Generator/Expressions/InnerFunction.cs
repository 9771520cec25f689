using System;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// The inner function rho of a spec: an elementwise expression E in the variable <see cref="U"/>, or, when
/// <see cref="Normalized"/>, norm(E): E's values RMS-normalised over each row of the last dimension.
/// </summary>
/// <param name="Body">E, in the variable u.</param>
/// <param name="Normalized">True for norm(E).</param>
/// <param name="Text">How the spec shows it: a built-in's name, or the expression as written.</param>
internal sealed record InnerFunction(Expr Body, bool Normalized, string Text)
{
    /// <summary>The variable the body is written in.</summary>
    public const string U = "u";

    /// <summary>E applied to <paramref name="argument"/>.</summary>
    public Expr Apply(Expr argument) => Body.Substitute(U, argument);

    /// <summary>
    /// The degree d when E is positively homogeneous, E(c u) = c^d E(u) for every c &gt; 0, with d a whole number of
    /// at least 1 (u, relu(u), abs(u), u^3, max(u, 0) * u ...); null otherwise.
    /// </summary>
    public int? HomogeneousDegree => Degree(Body) is int d && d >= 1 ? d : null;

    /// <summary>A bound on |E| over all u when one follows from the expression (tanh, sigmoid, erf ...); null otherwise.</summary>
    public double? Bound => Magnitude(Body);

    private static int? Degree(Expr e)
    {
        if (!e.DependsOn(U))
        {
            return 0;
        }
        switch (e)
        {
            case Variable:
                return 1;
            case Power p:
                return Degree(p.Base) is int d ? d * p.Exponent : null;
            case Call c:
            {
                Operation op = c.Operation;
                int?[] degrees = c.Arguments.AsSpan().ToArray().Select(Degree).ToArray();
                if (degrees.Any(d => d is null))
                {
                    return null;
                }
                if (op == Operations.Multiply) return degrees[0] + degrees[1];
                if (op == Operations.Divide) return degrees[0] - degrees[1];
                if (op == Operations.Negate || op == Operations.Abs || op == Operations.Relu) return degrees[0];
                if (op == Operations.Add || op == Operations.Subtract || op == Operations.Max || op == Operations.Min)
                {
                    return degrees[0] == degrees[1] ? degrees[0] : null;
                }
                if (op == Operations.Sqrt) return degrees[0] % 2 == 0 ? degrees[0] / 2 : null;
                return null;
            }
            default:
                return null;
        }
    }

    private static double? Magnitude(Expr e)
    {
        switch (e)
        {
            case Constant c:
                return Math.Abs(c.Value);
            case Call c:
            {
                Operation op = c.Operation;
                if (op == Operations.Tanh || op == Operations.Sigmoid || op == Operations.Erf)
                {
                    return 1;
                }
                double?[] bounds = c.Arguments.AsSpan().ToArray().Select(Magnitude).ToArray();
                if (bounds.Any(b => b is null))
                {
                    return null;
                }
                if (op == Operations.Add || op == Operations.Subtract) return bounds[0] + bounds[1];
                if (op == Operations.Multiply) return bounds[0] * bounds[1];
                if (op == Operations.Negate || op == Operations.Abs || op == Operations.Relu) return bounds[0];
                if (op == Operations.Max || op == Operations.Min) return Math.Max(bounds[0]!.Value, bounds[1]!.Value);
                return null;
            }
            case Power p when p.Exponent > 0:
                return Magnitude(p.Base) is double b ? Math.Pow(b, p.Exponent) : null;
            default:
                return null;
        }
    }
}
