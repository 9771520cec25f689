using System;
using PolyComGen.Generator.Expressions;
using Xunit;

namespace PolyComGen.Tests.Expressions;

/// <summary>Symbolic derivatives of whole expressions (chain, product and quotient rules) against central differences.</summary>
public sealed class DifferentiationTests
{
    /// <summary>Property: for 2000 random smooth trees in x and y, d/dx at random points matches a central difference.</summary>
    [Fact]
    public void DerivativesOfRandomTreesMatchCentralDifferences()
    {
        var trees = new RandomExpressions(seed: 7, variables: ["x", "y"], smooth: true);
        int compared = 0;
        for (int i = 0; i < 2000; i++)
        {
            Expr e = trees.Next(depth: 4);
            Expr derivative = Differentiation.Derivative(e, "x");
            for (int j = 0; j < 3; j++)
            {
                double x = trees.NextValue(1.5), y = trees.NextValue(1.5);
                double analytic = Evaluator.Evaluate(derivative, ("x", x), ("y", y));
                double h = 1e-5;
                double plus = Evaluator.Evaluate(e, ("x", x + h), ("y", y)), minus = Evaluator.Evaluate(e, ("x", x - h), ("y", y));
                double numeric = (plus - minus) / (2 * h);
                if (!double.IsFinite(numeric) || Math.Abs(numeric) > 1e6)
                {
                    continue; // too steep for a difference quotient
                }
                compared++;
                double scale = Math.Max(1, Math.Max(Math.Abs(plus), Math.Abs(numeric)));
                Assert.True(Math.Abs(analytic - numeric) <= 1e-5 * scale, $"d/dx {e} at x = {x}, y = {y}: {derivative} = {analytic}, central difference {numeric}");
            }
        }
        Assert.True(compared > 5000, $"only {compared} points compared");
    }

    [Fact]
    public void AVariableTheExpressionDoesNotContainHasDerivativeZero()
    {
        Expr e = Expr.Call(Operations.Tanh, Expr.Var("x")) * Expr.Var("y");
        Assert.Equal(Expr.Zero, Differentiation.Derivative(e, "z"));
        Assert.Equal("tanh(x)", Differentiation.Derivative(e, "y").ToString());
    }

    [Fact]
    public void ReluAndAbsUseTorchsSubgradientZeroAtZero()
    {
        Expr x = Expr.Var("x");
        Assert.Equal(0, Evaluator.Evaluate(Differentiation.Derivative(Expr.Call(Operations.Relu, x), "x"), ("x", 0)));
        Assert.Equal(0, Evaluator.Evaluate(Differentiation.Derivative(Expr.Call(Operations.Abs, x), "x"), ("x", 0)));
        // max and min split a tie evenly, as torch.maximum and torch.minimum do.
        Assert.Equal(0.5, Evaluator.Evaluate(Differentiation.Derivative(Expr.Call(Operations.Max, x, Expr.Var("y")), "x"), ("x", 1), ("y", 1)));
    }
}
