using System;
using PolyComGen.Generator.Expressions;
using Xunit;

namespace PolyComGen.Tests.Expressions;

/// <summary>The simplifier's identities, and that it never changes a value, NaN and infinity included.</summary>
public sealed class SimplifierTests
{
    private static readonly Expr X = Expr.Var("x"), Y = Expr.Var("y");

    public static TheoryData<string, string> Identities() => new()
    {
        { "x + 0", "x" },
        { "0 + x", "x" },
        { "x - 0", "x" },
        { "0 - x", "-x" },
        { "x * 1", "x" },
        { "1 * x", "x" },
        { "x * -1", "-x" },
        { "x / 1", "x" },
        { "x / -1", "-x" },
        { "1 / x", "x^-1" },
        { "--x", "x" },
        { "x + -y", "x - y" },
        { "-x + y", "y - x" },
        { "x - -y", "x + y" },
        { "-(x - y)", "y - x" },
        { "-x * -y", "x * y" },
        { "-x * y", "-(x * y)" },
        { "x * 3", "3 * x" },
        { "2 * (3 * x)", "6 * x" },
        { "x * x", "x^2" },
        { "x^2 * x^3", "x^5" },
        { "(x^2)^3", "x^6" },
        { "(-x)^2", "x^2" },
        { "(-x)^3", "-(x^3)" },
        { "x^1", "x" },
        { "x^0", "1" },
        { "2 + 3", "5" },
        { "exp(0)", "1" },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    public void KnownIdentities(string before, string after)
    {
        Assert.Equal(after, Simplifier.Simplify(Build(before)).ToString());
    }

    [Fact]
    public void RewritesThatAreWrongForInfinityOrNaNAreNotMade()
    {
        // 0 * x, x - x and x * x^-1 are NaN for an infinite or NaN x (and the last for 0), so they stay.
        Assert.Equal("0 * x", Simplifier.Simplify(Expr.Zero * X).ToString());
        Assert.Equal("x - x", Simplifier.Simplify(X - X).ToString());
        Assert.NotEqual(Expr.One, Simplifier.Simplify(X * Expr.Pow(X, -1)));
        Assert.NotEqual(Expr.One, Simplifier.Simplify(Expr.Pow(X, 2) * Expr.Pow(X, -2)));
        // Constant folding stops at values that are not finite.
        Assert.Equal("log(0)", Simplifier.Simplify(Expr.Call(Operations.Log, Expr.Zero)).ToString());
    }

    /// <summary>
    /// Property: for 3000 random trees over every operation of the language, at random points (including 0, infinity
    /// and NaN), the simplified tree evaluates to the original's value, NaN where it is NaN.
    /// </summary>
    [Fact]
    public void SimplifyingNeverChangesAValue()
    {
        var trees = new RandomExpressions(seed: 12, variables: ["x", "y"], smooth: false);
        double[] specials = [0, -0.0, 1, -1, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        for (int i = 0; i < 3000; i++)
        {
            Expr original = trees.Next(depth: 4);
            Expr simplified = Simplifier.Simplify(original);
            for (int j = 0; j < 8; j++)
            {
                double x = j < 4 ? trees.NextValue(3) : specials[(i + j) % specials.Length];
                double y = j % 2 == 0 ? trees.NextValue(3) : specials[(i * 3 + j) % specials.Length];
                double expected = Evaluator.Evaluate(original, ("x", x), ("y", y)), actual = Evaluator.Evaluate(simplified, ("x", x), ("y", y));
                Assert.True(Same(expected, actual), $"{original} -> {simplified} at x = {x}, y = {y}: {expected} became {actual}");
            }
        }
    }

    [Fact]
    public void SimplifyingIsIdempotent()
    {
        var trees = new RandomExpressions(seed: 5, variables: ["x", "y"], smooth: false);
        for (int i = 0; i < 2000; i++)
        {
            Expr once = Simplifier.Simplify(trees.Next(depth: 4));
            Assert.Equal(once, Simplifier.Simplify(once));
        }
    }

    // Equal up to rounding (the simplifier regroups constants and products), or both NaN. Zeros of either sign are equal.
    private static bool Same(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual)) return double.IsNaN(expected) && double.IsNaN(actual);
        if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual || Math.Abs(expected) > 1e300 || Math.Abs(actual) > 1e300;
        return Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(expected), Math.Abs(actual)));
    }

    // A tiny reader for the identities above: x, y, numbers, + - * / ^, unary minus, exp(...), parentheses.
    private static Expr Build(string text)
    {
        int i = 0;
        Expr Sum()
        {
            Expr e = Product();
            while (i < text.Length && (Peek() == '+' || Peek() == '-'))
            {
                char op = Take();
                Expr r = Product();
                e = op == '+' ? e + r : e - r;
            }
            return e;
        }
        Expr Product()
        {
            Expr e = Unary();
            while (i < text.Length && (Peek() == '*' || Peek() == '/'))
            {
                char op = Take();
                Expr r = Unary();
                e = op == '*' ? e * r : e / r;
            }
            return e;
        }
        Expr Unary() => Peek() == '-' ? Negate() : PowerOf(Atom());
        Expr Negate()
        {
            Take();
            return -Unary();
        }
        Expr PowerOf(Expr b)
        {
            if (i < text.Length && Peek() == '^')
            {
                Take();
                int sign = Peek() == '-' ? -1 : 1;
                if (sign < 0) Take();
                int start = i;
                while (i < text.Length && char.IsDigit(text[i])) i++;
                return Expr.Pow(b, sign * int.Parse(text[start..i], System.Globalization.CultureInfo.InvariantCulture));
            }
            return b;
        }
        Expr Atom()
        {
            if (Peek() == '(')
            {
                Take();
                Expr e = Sum();
                Take();
                return e;
            }
            int start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.')) i++;
            string word = text[start..i];
            if (word == "exp")
            {
                Take();
                Expr argument = Sum();
                Take();
                return Expr.Call(Operations.Exp, argument);
            }
            return char.IsDigit(word[0]) ? new Constant(double.Parse(word, System.Globalization.CultureInfo.InvariantCulture)) : Expr.Var(word);
        }
        char Peek()
        {
            while (i < text.Length && text[i] == ' ') i++;
            return i < text.Length ? text[i] : '\0';
        }
        char Take()
        {
            Peek();
            return text[i++];
        }
        return Sum();
    }
}
