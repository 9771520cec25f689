using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Generator.Expressions;
using Xunit;

namespace PolyComGen.Tests.Expressions;

/// <summary>Common subexpressions are computed once across all roots; powers climb a ladder.</summary>
public sealed class ExpressionCompilerTests
{
    private static readonly Expr X = Expr.Var("x"), Y = Expr.Var("y");

    // Spells calls as name(args) and products as mul(a, b), so that operations can be counted in the output.
    private sealed class CountingDialect : Dialect
    {
        public override string Constant(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        public override string Call(Operation operation, IReadOnlyList<string> arguments) => $"{operation.Name}({string.Join(", ", arguments)})";

        public override string Declare(string name, string value) => $"{name} = {value}";
    }

    private static (string Text, ExpressionCompiler.Compiled Compiled) Compile(params Expr[] roots)
    {
        var compiled = ExpressionCompiler.Compile(new CountingDialect(), variable => variable.Name, "t", roots);
        return (string.Join("\n", compiled.Statements.Concat(compiled.Results)), compiled);
    }

    private static int Count(string text, string operation) => Regex.Matches(text, Regex.Escape(operation) + @"\(").Count;

    [Fact]
    public void ARepeatedSubexpressionIsComputedOnce()
    {
        Expr t = Expr.Call(Operations.Tanh, X * Y);
        var (text, compiled) = Compile(t * t + Expr.Call(Operations.Sigmoid, t));
        Assert.Equal(1, Count(text, "tanh"));
        Assert.Equal(1, Count(text, "sigmoid"));
        Assert.Single(compiled.Statements);
    }

    [Fact]
    public void SubexpressionsAreSharedAcrossRoots()
    {
        Expr e = Expr.Call(Operations.Exp, X);
        var (text, compiled) = Compile(e + Y, e * Y, Expr.Call(Operations.Tanh, e));
        Assert.Equal(1, Count(text, "exp"));
        Assert.Equal(3, compiled.Results.Count);
    }

    [Fact]
    public void PowersOfOneBaseCostOneProductEach()
    {
        // x^2, x^3, x^4 and x^8 together: x^2 = x * x, x^3 = x^2 * x, ..., x^8 = x^7 * x: 7 products in all.
        var (text, _) = Compile(Expr.Pow(X, 2), Expr.Pow(X, 3), Expr.Pow(X, 4), Expr.Pow(X, 8));
        Assert.Equal(7, Count(text, "mul"));
    }

    [Fact]
    public void NegativePowersAreReciprocalsOfThePositiveOnes()
    {
        var (text, _) = Compile(Expr.Pow(X, -1), Expr.Pow(X, -3));
        Assert.Equal(2, Count(text, "div"));
        Assert.Contains("div(1, x)", text);
    }

    [Fact]
    public void VariablesAndConstantsAreNeverTemporaries()
    {
        var (_, compiled) = Compile(X + 2, X * 2, Y + 2);
        Assert.Empty(compiled.Statements);
    }
}
