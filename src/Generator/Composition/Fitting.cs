using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// <c>Fit = "gelu(x)"</c>: the initial values of a declaration's named parameters fitted at build time, by least
/// squares (Levenberg-Marquardt from the declared values), so that the activation approximates a target expression of
/// x at <see cref="Points"/> equally spaced points of [<see cref="Low"/>, <see cref="High"/>], as PAU and KAT initialise
/// their rationals. A PolyCom's weights and bias keep their defaults (1/Order and 0).
/// </summary>
internal static class Fitting
{
    /// <summary>The interval the fit covers, from Low to High.</summary>
    public const double Low = -3, High = 3;

    /// <summary>The points of the interval the fit uses, equally spaced, ends included.</summary>
    public const int Points = 2001;

    private const int MaxIterations = 400;

    /// <summary>The fitted values (in the order of the spec's named parameters), the largest error, and whether it converged.</summary>
    public sealed record Result(double[] Values, double MaxError, bool Converged);

    /// <summary>Fits <paramref name="spec"/>'s named parameters to <paramref name="target"/>, an expression in <see cref="InnerFunction.U"/>.</summary>
    public static Result Fit(SpecModel spec, Expr target)
    {
        Expr activation = Activation(spec);
        var parameters = spec.Learned.Select(p => PlanVariables.Learned(p.Name, p.Slot).Name).ToArray();
        double[] xs = Enumerable.Range(0, Points).Select(i => Low + (High - Low) * i / (Points - 1)).ToArray();
        double[] ts = xs.Select(x => Evaluate(target, new Dictionary<string, double> { [InnerFunction.U] = x })).ToArray();
        double[] theta = spec.Learned.Select(p => p.Initial).ToArray();
        int n = theta.Length, m = xs.Length;

        double[] Residuals(double[] values)
        {
            var bindings = new Dictionary<string, double>();
            for (int j = 0; j < n; j++)
            {
                bindings[parameters[j]] = values[j];
            }
            var r = new double[m];
            for (int i = 0; i < m; i++)
            {
                bindings[InnerFunction.U] = xs[i];
                r[i] = Evaluate(activation, bindings) - ts[i];
            }
            return r;
        }
        static double Cost(double[] r) => r.Sum(v => v * v);

        double[] residuals = Residuals(theta);
        double cost = Cost(residuals), lambda = 1e-3;
        bool converged = false;
        for (int iteration = 0; iteration < MaxIterations && IsFinite(cost); iteration++)
        {
            // The Jacobian by central differences, then the damped normal equations (J'J + lambda diag J'J) d = -J'r.
            var jacobian = new double[n][];
            for (int j = 0; j < n; j++)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(theta[j]));
                double[] plus = (double[])theta.Clone(), minus = (double[])theta.Clone();
                plus[j] += h;
                minus[j] -= h;
                double[] rp = Residuals(plus), rm = Residuals(minus);
                jacobian[j] = rp.Zip(rm, (a, b) => (a - b) / (2 * h)).ToArray();
            }
            var normal = new double[n, n];
            var gradient = new double[n];
            for (int a = 0; a < n; a++)
            {
                gradient[a] = Dot(jacobian[a], residuals);
                for (int b = 0; b <= a; b++)
                {
                    normal[a, b] = normal[b, a] = Dot(jacobian[a], jacobian[b]);
                }
            }
            if (gradient.Max(Math.Abs) <= 1e-12 * Math.Max(1, cost))
            {
                converged = true;
                break;
            }
            bool improved = false;
            while (lambda < 1e16)
            {
                var damped = (double[,])normal.Clone();
                for (int a = 0; a < n; a++)
                {
                    damped[a, a] += lambda * Math.Max(normal[a, a], 1e-12);
                }
                double[]? step = Solve(damped, gradient.Select(g => -g).ToArray());
                if (step is not null)
                {
                    double[] candidate = theta.Zip(step, (t, d) => t + d).ToArray();
                    double[] r = Residuals(candidate);
                    double candidateCost = Cost(r);
                    if (candidateCost < cost)
                    {
                        bool small = cost - candidateCost <= 1e-14 * cost;
                        (theta, residuals, cost) = (candidate, r, candidateCost);
                        lambda = Math.Max(lambda / 3, 1e-12);
                        improved = true;
                        converged = small;
                        break;
                    }
                }
                lambda *= 4;
            }
            if (!improved)
            {
                // No step lowers the cost at any damping: a (local) minimum.
                converged = IsFinite(cost);
                break;
            }
            if (converged)
            {
                break;
            }
        }
        double maxError = residuals.Select(Math.Abs).DefaultIfEmpty(0).Max();
        return new Result(theta, IsFinite(maxError) ? maxError : double.PositiveInfinity, converged && IsFinite(maxError));
    }

    // The activation as one expression of u (x) and the named parameters: a PolyCom with its default weights and bias.
    private static Expr Activation(SpecModel spec)
    {
        if (!spec.Polynomial)
        {
            return spec.Inner.Body;
        }
        Expr u = Expr.Var(InnerFunction.U), sum = Expr.Zero;
        for (int k = 1; k <= spec.Order; k++)
        {
            Expr term = spec.Type == 1 ? Expr.Pow(spec.Inner.Body, k) : spec.Inner.Apply(Expr.Pow(u, k));
            sum = sum + new Constant(1.0 / spec.Order) * term;
        }
        return sum;
    }

    /// <summary>The value of <paramref name="e"/> with its variables bound by name.</summary>
    public static double Evaluate(Expr e, IReadOnlyDictionary<string, double> bindings) => e switch
    {
        Constant c => c.Value,
        Variable v => bindings[v.Name],
        Power p => Math.Pow(Evaluate(p.Base, bindings), p.Exponent),
        Call c when c.Operation == Operations.Erf => Erf(Evaluate(c.Arguments[0], bindings)),
        Call c => c.Operation.Fold is Func<double[], double> fold
            ? fold(c.Arguments.AsSpan().ToArray().Select(a => Evaluate(a, bindings)).ToArray())
            : throw new NotSupportedException($"Cannot evaluate {c.Operation.Name} at build time."),
        _ => throw new NotSupportedException($"Cannot evaluate {e} at build time."),
    };

    // erf to about 1e-7 (Numerical Recipes' erfc by Chebyshev fitting), enough for a starting point.
    private static double Erf(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc : erfc - 1;
    }

    /// <summary>Neither NaN nor infinite (netstandard2.0 has no double.IsFinite).</summary>
    public static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    // Gaussian elimination with partial pivoting; null when singular.
    private static double[]? Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }
            if (!(Math.Abs(a[pivot, col]) > 1e-300))
            {
                return null;
            }
            for (int k = 0; k < n; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            }
            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (int row = col + 1; row < n; row++)
            {
                double f = a[row, col] / a[col, col];
                for (int k = col; k < n; k++)
                {
                    a[row, k] -= f * a[col, k];
                }
                b[row] -= f * b[col];
            }
        }
        var x = new double[n];
        for (int row = n - 1; row >= 0; row--)
        {
            double s = b[row];
            for (int k = row + 1; k < n; k++)
            {
                s -= a[row, k] * x[k];
            }
            x[row] = s / a[row, row];
        }
        return x.All(IsFinite) ? x : null;
    }
}
