using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Tests.Expressions;

/// <summary>
/// The tests' own meaning of every operation of the expression language, in double precision, written here
/// independently of the generator's table (its folds and spellings), and an evaluator of expression trees over it.
/// </summary>
internal static class Evaluator
{
    /// <summary>What each operation computes, by name; a new operation needs a row here as well.</summary>
    public static readonly IReadOnlyDictionary<string, Func<double[], double>> Semantics = new Dictionary<string, Func<double[], double>>
    {
        ["add"] = a => a[0] + a[1],
        ["sub"] = a => a[0] - a[1],
        ["mul"] = a => a[0] * a[1],
        ["div"] = a => a[0] / a[1],
        ["neg"] = a => -a[0],
        ["exp"] = a => Math.Exp(a[0]),
        ["expm1"] = a => Math.Exp(a[0]) - 1,
        ["log"] = a => Math.Log(a[0]),
        ["log1p"] = a => Math.Log(1 + a[0]),
        ["sqrt"] = a => Math.Sqrt(a[0]),
        ["tanh"] = a => Math.Tanh(a[0]),
        ["sigmoid"] = a => 1 / (1 + Math.Exp(-a[0])),
        ["softplus"] = a => a[0] > 30 ? a[0] + Math.Exp(-a[0]) : Math.Log(1 + Math.Exp(a[0])),
        ["erf"] = a => Erf(a[0]),
        ["abs"] = a => Math.Abs(a[0]),
        ["relu"] = a => a[0] > 0 ? a[0] : double.IsNaN(a[0]) ? a[0] : 0,
        ["max"] = a => double.IsNaN(a[0]) || double.IsNaN(a[1]) ? double.NaN : Math.Max(a[0], a[1]),
        ["min"] = a => double.IsNaN(a[0]) || double.IsNaN(a[1]) ? double.NaN : Math.Min(a[0], a[1]),
        ["step"] = a => a[0] > 0 ? 1 : 0,
        ["sign"] = a => Math.Sign(double.IsNaN(a[0]) ? 0 : a[0]),
        ["heaviside"] = a => a[0] > 0 ? 1 : a[0] == 0 ? 0.5 : 0,
        ["rescale"] = a => a[1] <= Math.Pow(2, 64) || !(a[0] > 1) || double.IsInfinity(a[0]) ? 1 : Math.Pow(2, -Math.Floor(Math.Log2(a[0])) - 1),
        ["fma"] = a => a[0] * a[1] + a[2],
        ["erf_gaussian"] = a => Erf(a[0]),
        ["where_positive"] = a => a[0] > 0 ? a[1] : a[2],
    };

    /// <summary>The value of <paramref name="e"/> with the variables bound as given.</summary>
    public static double Evaluate(Expr e, IReadOnlyDictionary<string, double> variables) => e switch
    {
        Constant c => c.Value,
        Variable v => variables.TryGetValue(v.Name, out double value) ? value : throw new ArgumentException($"Unbound variable {v.Name}."),
        Power p => Math.Pow(Evaluate(p.Base, variables), p.Exponent),
        Call c => Semantics[c.Operation.Name](c.Arguments.AsSpan().ToArray().Select(a => Evaluate(a, variables)).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    public static double Evaluate(Expr e, params (string Name, double Value)[] variables) =>
        Evaluate(e, variables.ToDictionary(v => v.Name, v => v.Value));

    // erf by its Maclaurin series (|x| <= 3) or its asymptotic continued fraction: accurate to about 1e-15 either way.
    private static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 3)
        {
            // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...))))
            double fraction = ax;
            for (int k = 60; k >= 1; k--)
            {
                fraction = ax + k / 2.0 / fraction;
            }
            return Math.Sign(x) * (1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / fraction);
        }
        double sum = 0, term = x;
        for (int n = 0; n < 100; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
