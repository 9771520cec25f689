using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using PolyComGen.Generator.Expressions;
using Xunit;

namespace PolyComGen.Tests.Expressions;

/// <summary>
/// The operation table: every row complete (each spelling uses each argument, derivatives for each argument), every
/// operation in the table, its folds and derivatives right. Adding an operation with a missing piece fails here.
/// </summary>
public sealed class OperationTableTests
{
    public static IEnumerable<object[]> Names() => Operations.All.Select(o => new object[] { o.Name });

    private static Operation Op(string name) => Operations.All.Single(o => o.Name == name);

    [Fact]
    public void EveryOperationFieldIsInTheTableOnceAndFoundByName()
    {
        var fields = typeof(Operations).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(Operation)).Select(f => (Operation)f.GetValue(null)!).ToList();
        Assert.Equal(fields.Count, Operations.All.Count);
        Assert.All(fields, f => Assert.Contains(f, Operations.All));
        Assert.Equal(Operations.All.Count, Operations.All.Select(o => o.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(Operations.All, o => Assert.Same(o, Operations.ByName(o.Name.ToUpperInvariant())));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EverySpellingUsesEachArgumentAndNoOther(string name)
    {
        Operation op = Op(name);
        var spellings = new List<(string Target, string Text)> { ("C#", op.CSharp), ("CUDA", op.Cuda), ("eager", op.Eager), ("Python", op.Python) };
        if (op.CSharpVector is not null)
        {
            spellings.Add(("C# vector", op.CSharpVector));
        }
        foreach (var (target, text) in spellings)
        {
            Assert.False(string.IsNullOrWhiteSpace(text), $"{name}: no {target} spelling");
            for (int i = 0; i < op.Arity; i++)
            {
                // erf_gaussian's second argument (exp(-a^2)) is an optional shortcut that targets may ignore.
                if (op == Operations.ErfWithGaussian && i == 1 && target is "CUDA" or "eager" or "Python")
                {
                    continue;
                }
                Assert.Contains("{" + i.ToString(CultureInfo.InvariantCulture) + "}", text);
            }
            Assert.DoesNotContain("{" + op.Arity.ToString(CultureInfo.InvariantCulture) + "}", text);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryOperationHasTheTestsMeaningAndADerivativePerArgument(string name)
    {
        Operation op = Op(name);
        Assert.True(Evaluator.Semantics.ContainsKey(name), $"{name}: the tests' evaluator has no row for it");
        Expr[] arguments = Enumerable.Range(0, op.Arity).Select(i => Expr.Var("a" + i)).ToArray();
        Assert.Equal(op.Arity, op.Derivatives(arguments).Length);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FoldsAgreeWithTheTestsMeaning(string name)
    {
        Operation op = Op(name);
        if (op.Fold is null)
        {
            return;
        }
        foreach (double[] point in Points(op))
        {
            double expected = Evaluator.Semantics[name](point), actual = op.Fold(point);
            Assert.True(Same(expected, actual, 1e-14), $"{name}({string.Join(", ", point)}) folds to {actual}, not {expected}");
        }
    }

    /// <summary>Every partial derivative of every operation against a central difference of the tests' meaning.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void DerivativesMatchCentralDifferences(string name)
    {
        Operation op = Op(name);
        string[] names = Enumerable.Range(0, op.Arity).Select(i => "a" + i).ToArray();
        Expr call = Expr.Call(op, names.Select(Expr.Var).ToArray());
        foreach (double[] point in Points(op))
        {
            for (int i = 0; i < op.Arity; i++)
            {
                Expr derivative = Differentiation.Derivative(call, names[i]);
                double analytic = Evaluator.Evaluate(derivative, names.Select((n, k) => (n, point[k])).ToArray());
                double numeric = CentralDifference(v => Evaluator.Semantics[name](With(point, i, v)), point[i]);
                Assert.True(Same(numeric, analytic, 1e-6), $"d{name}/d{names[i]} at ({string.Join(", ", point)}): {analytic}, central difference {numeric}");
            }
        }
    }

    [Fact]
    public void PowersDifferentiateByTheirExponent()
    {
        foreach (int n in new[] { -3, -1, 2, 3, 8 })
        {
            Expr derivative = Differentiation.Derivative(Expr.Pow(Expr.Var("u"), n), "u");
            foreach (double u in new[] { -1.3, 0.4, 2.2 })
            {
                double numeric = CentralDifference(v => Math.Pow(v, n), u);
                Assert.True(Same(numeric, Evaluator.Evaluate(derivative, ("u", u)), 1e-6), $"d(u^{n})/du at {u}");
            }
        }
    }

    [Fact]
    public void ADerivativeOfZeroBuildsNoZeroTimesAnything()
    {
        // d/du of w * exp(v) is 0, not 0 * w * exp(v), which would be NaN for an infinite exp(v).
        Expr e = Expr.Var("w") * Expr.Call(Operations.Exp, Expr.Var("v"));
        Assert.Equal(Expr.Zero, Differentiation.Derivative(e, "u"));
    }

    // Points inside each operation's domain and away from its kinks, where a central difference is exact enough.
    private static IEnumerable<double[]> Points(Operation op)
    {
        double[] values = op.Name switch
        {
            "log" or "sqrt" => [0.3, 1.7, 12.5],
            "log1p" => [-0.6, 0.2, 3.1],
            "rescale" => [0.5, 3.3, 1000.7, double.PositiveInfinity],
            _ => [-2.3, -0.7, 0.4, 1.9],
        };
        return op.Arity switch
        {
            1 => values.Select(v => new[] { v }),
            2 when op == Operations.ErfWithGaussian => values.Select(v => new[] { v, Math.Exp(-v * v) }),
            2 => values.SelectMany(a => values.Where(b => Math.Abs(a - b) > 0.1).Select(b => new[] { a, b })),
            _ => values.Select(v => new[] { v, 0.5 - v, 1.5 }),
        };
    }

    private static double[] With(double[] point, int i, double value)
    {
        double[] copy = (double[])point.Clone();
        copy[i] = value;
        return copy;
    }

    private static double CentralDifference(Func<double, double> f, double at)
    {
        double h = 1e-5 * Math.Max(1, Math.Abs(at));
        return (f(at + h) - f(at - h)) / (2 * h);
    }

    private static bool Same(double expected, double actual, double tolerance) =>
        expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected));
}
