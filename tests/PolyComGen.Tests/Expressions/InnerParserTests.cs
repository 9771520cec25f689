using System;
using System.Linq;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Expressions.Language;
using Xunit;

namespace PolyComGen.Tests.Expressions;

/// <summary>The Inner language: every rule, precedence and associativity, numbers, names, and each mistake with its span.</summary>
public sealed class InnerParserTests
{
    private static InnerFunction Parse(string text)
    {
        InnerParseResult result = InnerParser.Parse(text);
        Assert.True(result.Error is null, $"{text}: {result.Error?.Message}");
        return result.Inner!;
    }

    private static double Value(string text, double x) => Evaluator.Evaluate(Parse(text).Body, (InnerFunction.U, x));

    [Theory]
    [InlineData("x + 2 * x", 0.5, 1.5)]
    [InlineData("(x + 2) * x", 0.5, 1.25)]
    [InlineData("-x^2", 3, -9)]             // the sign applies after the power
    [InlineData("(-x)^2", 3, 9)]
    [InlineData("2^-1 * x", 3, 1.5)]        // a signed exponent
    [InlineData("x^2^3", 2, 256)]           // ^ is right-associative: x^(2^3)
    [InlineData("x / 2 / 4", 8, 1)]         // / and - are left-associative
    [InlineData("x - 2 - 4", 8, 2)]
    [InlineData("x^-1", 4, 0.25)]
    [InlineData("x^(1 + 1)", 3, 9)]
    [InlineData("--x", 3, 3)]
    [InlineData("+x", 3, 3)]
    [InlineData("2 * -x", 3, -6)]
    [InlineData("  x\t*\n3 ", 2, 6)]
    public void PrecedenceAssociativityAndWhitespace(string text, double x, double expected) => Assert.Equal(expected, Value(text, x), 12);

    [Theory]
    [InlineData("2 * x", 2.0)]
    [InlineData("0.5 * x", 0.5)]
    [InlineData(".5 * x", 0.5)]
    [InlineData("5. * x", 5.0)]
    [InlineData("1.702 * x", 1.702)]
    [InlineData("1e-3 * x", 1e-3)]
    [InlineData("1E3 * x", 1e3)]
    [InlineData("2.5e+2 * x", 250.0)]
    [InlineData("pi * x", Math.PI)]
    [InlineData("E * x", Math.E)]
    public void NumbersInEveryFormAndConstants(string text, double factor) => Assert.Equal(factor * 1.5, Value(text, 1.5), 12);

    [Theory]
    [InlineData("exp(x)", 0.3)]
    [InlineData("log(x)", 0.3)]
    [InlineData("log1p(x)", 0.3)]
    [InlineData("sqrt(x)", 0.3)]
    [InlineData("tanh(x)", 0.3)]
    [InlineData("sigmoid(x)", 0.3)]
    [InlineData("softplus(x)", 0.3)]
    [InlineData("erf(x)", 0.3)]
    [InlineData("abs(x)", -0.3)]
    [InlineData("relu(x)", -0.3)]
    [InlineData("min(x, 0.1)", 0.3)]
    [InlineData("max(x, 0.1)", 0.3)]
    [InlineData("silu(x)", 0.3)]
    [InlineData("GELU(x)", 0.3)]
    [InlineData("gelu_tanh(x)", 0.3)]
    [InlineData("square(x)", 0.3)]
    [InlineData("Identity(x)", 0.3)]
    public void EveryFunctionMatchesItsFormula(string text, double x)
    {
        double expected = text.ToLowerInvariant() switch
        {
            "exp(x)" => Math.Exp(x),
            "log(x)" => Math.Log(x),
            "log1p(x)" => Math.Log(1 + x),
            "sqrt(x)" => Math.Sqrt(x),
            "tanh(x)" => Math.Tanh(x),
            "sigmoid(x)" => 1 / (1 + Math.Exp(-x)),
            "softplus(x)" => Math.Log(1 + Math.Exp(x)),
            "erf(x)" => Evaluator.Semantics["erf"]([x]),
            "abs(x)" => Math.Abs(x),
            "relu(x)" => Math.Max(x, 0),
            "min(x, 0.1)" => Math.Min(x, 0.1),
            "max(x, 0.1)" => Math.Max(x, 0.1),
            "silu(x)" => x / (1 + Math.Exp(-x)),
            "gelu(x)" => 0.5 * x * (1 + Evaluator.Semantics["erf"]([x / Math.Sqrt(2)])),
            "gelu_tanh(x)" => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
            "square(x)" => x * x,
            "identity(x)" => x,
            _ => throw new ArgumentException(text),
        };
        Assert.Equal(expected, Value(text, x), 12);
    }

    [Fact]
    public void BuiltInNamesAndNormOfAnExpression()
    {
        Assert.Equal("ReLU", Parse("relu").Text);
        Assert.True(Parse("NORM").Normalized);
        InnerFunction normX = Parse("norm(x)"), norm = Parse("Norm");
        Assert.True(normX.Normalized);
        Assert.Equal(norm.Body, normX.Body);
        Assert.Equal("norm(x)", normX.Text);
        InnerFunction normTanh = Parse("norm( tanh(x) )");
        Assert.True(normTanh.Normalized);
        Assert.Equal("tanh(u)", normTanh.Body.ToString());
        Assert.True(Parse("(norm(relu(x)))").Normalized);
        Assert.False(Parse("x * sigmoid(1.702 * x)").Normalized);
        Assert.Equal("x * sigmoid(1.702 * x)", Parse("x  *\tsigmoid(1.702 * x)").Text);
    }

    [Fact]
    public void ABuiltInWrittenAsAnExpressionIsTheSameExpression()
    {
        Assert.Equal(BuiltInFunctions.Get("SiLU").Body, Parse("x * sigmoid(x)").Body);
        Assert.Equal(BuiltInFunctions.Get("Square").Body, Parse("x^2").Body);
        Assert.Equal(BuiltInFunctions.Get("Square").Body, Parse("x * x").Body);
    }

    [Theory]
    [InlineData("", "Syntax", 0, 0, "empty")]
    [InlineData("   ", "Syntax", 0, 3, "empty")]
    [InlineData("2 * foo(x)", "UnknownName", 4, 3, "did you mean")]
    [InlineData("x * sigmod(x)", "UnknownName", 4, 6, "did you mean 'sigmoid'")]
    [InlineData("x + y", "UnknownName", 4, 1, "'y' is not a known")]
    [InlineData("Relu2", "UnknownInner", 0, 5, "did you mean \"ReLU\"")]
    [InlineData("tanh(x", "Syntax", 4, 1, "never closed")]
    [InlineData("(x + 1", "Syntax", 0, 1, "never closed")]
    [InlineData("x + 1)", "Syntax", 5, 1, "closes no")]
    [InlineData("x +", "Syntax", 2, 1, "needs an operand")]
    [InlineData("x * / 2", "Syntax", 4, 1, "expected a number")]
    [InlineData("2x", "Syntax", 1, 1, "expected an operator")]
    [InlineData("x ** 2", "Syntax", 2, 2, "x^2")]
    [InlineData("x # 2", "Syntax", 2, 1, "unexpected character")]
    [InlineData("max(x, )", "Syntax", 5, 1, "needs an argument")]
    [InlineData("()", "Syntax", 1, 1, "no expression")]
    [InlineData("2 * tanh", "Syntax", 4, 4, "is a function")]
    [InlineData("x^0.5", "Exponent", 2, 3, "sqrt")]
    [InlineData("x^1.5", "Exponent", 2, 3, "exp(p * log(...))")]
    [InlineData("2^x", "Exponent", 2, 1, "whole-number constant")]
    [InlineData("x^100", "TooLarge", 2, 3, "32")]
    [InlineData("norm(x) + 1", "NormNotOutermost", 0, 4, "whole expression")]
    [InlineData("tanh(norm(x))", "NormNotOutermost", 5, 4, "whole expression")]
    [InlineData("norm(norm(x))", "NormNotOutermost", 5, 4, "whole expression")]
    [InlineData("2 * pi", "Constant", 0, 6, "does not depend on x")]
    [InlineData("x / 0", "DivisionByZero", 4, 1, "division by zero")]
    [InlineData("x / (1 - 1)", "DivisionByZero", 4, 7, "division by zero")]
    [InlineData("max(x)", "ArgumentCount", 0, 6, "max takes 2 arguments, not 1")]
    [InlineData("tanh(x, 2)", "ArgumentCount", 0, 10, "tanh takes 1 argument, not 2")]
    [InlineData("exp()", "ArgumentCount", 0, 5, "not 0")]
    public void EveryMistakeIsReportedWithItsSpan(string text, string kind, int start, int length, string message)
    {
        ExpressionError error = InnerParser.Parse(text).Error ?? throw new Xunit.Sdk.XunitException($"{text} parsed");
        Assert.Equal(kind, error.Kind.ToString());
        Assert.Contains(message, error.Message);
        Assert.Equal((start, Math.Max(length, 1)), (error.Start, error.Length));
    }

    [Fact]
    public void LimitsAreDiagnosticsNotHangsOrCrashes()
    {
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse(new string('(', 5000) + "x" + new string(')', 5000)).Error!.Kind);
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse(new string('(', 100) + "x" + new string(')', 100)).Error!.Kind);
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse(new string('-', 200) + "x").Error!.Kind);
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse(string.Join(" + ", Enumerable.Repeat("x", 300))).Error!.Kind);
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse(string.Join(" * ", Enumerable.Repeat("tanh(x)", 60))).Error!.Kind);
        Assert.Equal(ExpressionErrorKind.TooLarge, InnerParser.Parse("x" + string.Concat(Enumerable.Repeat("^1", 50))).Error!.Kind);
        Assert.Null(InnerParser.Parse(string.Concat(Enumerable.Repeat("tanh(", 11)) + "x" + new string(')', 11)).Error);
    }
}
