using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Tests.Expressions;
using Xunit;

namespace PolyComGen.Tests.Composition;

/// <summary>Horner's rule, hoisting of loop invariants and the CPU lowering: each keeps the value of what it rewrites.</summary>
public sealed class PolynomialTests
{
    private static readonly Expr X = Expr.Var("x"), A = Expr.Var("a"), G = Expr.Var("g");

    [Fact]
    public void CoefficientsOfAProductOfPolynomials()
    {
        // (a + 2x)^2 (x - 1) = -a^2 + (a^2 - 4a) x + (4a - 4) x^2 + 4 x^3
        Expr e = Expr.Pow(A + 2 * X, 2) * (X - 1);
        var coefficients = Polynomials.Coefficients(e, "x")!;
        Assert.Equal([0, 1, 2, 3], coefficients.Keys.ToArray());
        foreach (double a in new[] { -1.5, 0.3, 2.0 })
        {
            double[] values = coefficients.Values.Select(c => Evaluator.Evaluate(c, ("a", a))).ToArray();
            Assert.Equal(new[] { -a * a, a * a - 4 * a, 4 * a - 4, 4 }, values, (p, q) => System.Math.Abs(p - q) < 1e-12);
        }
    }

    [Fact]
    public void HornersRuleKeepsTheValue()
    {
        var trees = new RandomExpressions(seed: 3, variables: ["x", "a"], smooth: true);
        int polynomials = 0;
        for (int i = 0; i < 3000; i++)
        {
            Expr e = Simplifier.Simplify(trees.Next(depth: 4));
            Expr horner = Polynomials.HornerIfPolynomial(e, new Variable("x"), ["g"]);
            if (Polynomials.Coefficients(e, "x") is { Count: >= 2 })
            {
                polynomials++;
            }
            for (int j = 0; j < 3; j++)
            {
                double x = trees.NextValue(2), a = trees.NextValue(2);
                double expected = Evaluator.Evaluate(e, ("x", x), ("a", a)), actual = Evaluator.Evaluate(horner, ("x", x), ("a", a));
                Assert.True(System.Math.Abs(expected - actual) <= 1e-9 * System.Math.Max(1, System.Math.Abs(expected)), $"{e} -> {horner} at x = {x}, a = {a}");
            }
        }
        Assert.True(polynomials > 100, $"only {polynomials} polynomials generated");
    }

    [Fact]
    public void NonPolynomialsAndCoefficientsThatVaryPerElementAreLeftAlone()
    {
        Expr tanh = Expr.Call(Operations.Tanh, X) + X;
        Assert.Same(tanh, Polynomials.HornerIfPolynomial(tanh, PlanVariables.X, ["g"]));
        Expr varying = G * X + G * Expr.Pow(X, 2);
        Assert.Same(varying, Polynomials.HornerIfPolynomial(varying, PlanVariables.X, ["g"]));
        Assert.Equal("b + (x * (w1 + (x * w2)))", Polynomials.HornerIfPolynomial(Expr.Var("b") + Expr.Var("w1") * X + Expr.Var("w2") * Expr.Pow(X, 2), PlanVariables.X, ["g"]).ToString());
    }

    [Fact]
    public void HoistingMovesElementInvariantsBeforeTheLoopAndKeepsTheValue()
    {
        Expr X = PlanVariables.X, G = PlanVariables.Upstream;
        Expr w1 = PlanVariables.Weight(1), w2 = PlanVariables.Weight(2), s = PlanVariables.Row("s");
        Expr store = G * (w1 * Expr.Pow(s, 3) + X * (2 * w2 * s));
        var plan = new KernelPlan(false, [new Pass([new Reduction("r", ReductionKind.Sum, G * (w1 * s))], [new Store(ElementOutput.Dx, store)], [])], []);

        Pass hoisted = Hoisting.HoistInvariants(plan).Passes.Single();

        Assert.Equal(3, hoisted.Before.Count); // w1 s^3, 2 w2 s, w1 s
        Assert.All(hoisted.Before, d => Assert.DoesNotContain(d.Value.VariableNodes(), v => v.IsElement));
        var scalars = new System.Collections.Generic.Dictionary<string, double> { ["w1"] = 0.7, ["w2"] = -1.3, ["s"] = 1.9, ["x"] = 0.4, ["g"] = -2.1 };
        foreach (Definition d in hoisted.Before)
        {
            scalars[d.Name] = Evaluator.Evaluate(d.Value, scalars);
        }
        Assert.Equal(Evaluator.Evaluate(store, scalars), Evaluator.Evaluate(hoisted.Stores.Single().Value, scalars), 12);
        Assert.Equal(Evaluator.Evaluate(G * (w1 * s), scalars), Evaluator.Evaluate(hoisted.Reductions.Single().Term, scalars), 12);
    }

    [Fact]
    public void TheCpuLoweringContractsMultiplyAddsAndSharesErfsGaussianWithoutChangingValues()
    {
        Expr u = X * 0.7071067811865476;
        Expr gelu = 0.5 * X * (1 + Expr.Call(Operations.Erf, u));
        Expr slope = Differentiation.Derivative(gelu, "x");
        var lowered = Lowering.ForCpu([gelu, slope], isFloat: true);

        string text = string.Join(" ", lowered);
        Assert.Contains("fma(", text);
        Assert.Contains("erf_gaussian(", text);
        foreach (double x in new[] { -2.5, -0.3, 0.0, 1.7 })
        {
            Assert.Equal(Evaluator.Evaluate(gelu, ("x", x)), Evaluator.Evaluate(lowered[0], ("x", x)), 12);
            Assert.Equal(Evaluator.Evaluate(slope, ("x", x)), Evaluator.Evaluate(lowered[1], ("x", x)), 12);
        }
    }
}
