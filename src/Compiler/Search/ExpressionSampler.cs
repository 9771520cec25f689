using System;
using System.Collections.Generic;
using System.Globalization;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Compiler.Search;

/// <summary>
/// Draws PolyComs at random from the expression language, as the search for activation functions of Ramachandran,
/// Zoph and Le (2017) drew from unary and binary functions: an inner expression of at most
/// <see cref="MaxOperations"/> operations over x, scaled copies of x and small constants (unary functions of the
/// operation table, + - * max min, ^2 and ^3), inside norm(...) with probability <see cref="NormProbability"/>,
/// Type 1 or 2, order 2 to 4. A seed gives the same sequence on every machine; <see cref="Next"/> never repeats a
/// canonical form (x * sigmoid(x), sigmoid(x) * x and silu(x) are one candidate).
/// </summary>
public sealed class ExpressionSampler
{
    /// <summary>The most operations (function calls, operators and powers) of one inner expression.</summary>
    public const int MaxOperations = 5;

    /// <summary>How often the expression is put inside norm(...).</summary>
    public const double NormProbability = 0.3;

    // The unary functions drawn: the operation table's bounded or slowly growing ones, and the built-ins made of them.
    private static readonly string[] Unary = ["tanh", "sigmoid", "erf", "relu", "softplus", "abs", "silu", "gelu", "square", "exp", "neg"];

    private static readonly string[] Binary = ["+", "-", "*", "max", "min"];

    private static readonly string[] Scales = ["0.5", "2", "1.702", "-1"];

    private static readonly string[] Constants = ["1", "0.5", "2"];

    private readonly Random _random;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>A sampler whose draws follow <paramref name="seed"/>.</summary>
    public ExpressionSampler(int seed) => _random = new Random(seed);

    /// <summary>How many draws <see cref="Next"/> threw away as spellings of a candidate it had already given.</summary>
    public int Duplicates { get; private set; }

    /// <summary>The next candidate whose canonical form has not been drawn before.</summary>
    public SearchCandidate Next()
    {
        while (true)
        {
            string body = Expression(_random.Next(1, MaxOperations + 1));
            string inner = _random.NextDouble() < NormProbability ? $"norm({body})" : body;
            int type = _random.Next(1, 3);
            int order = _random.Next(2, 5);
            if (KeyOf(type, order, inner) is not string key)
            {
                continue; // not in the language (a constant expression): draw again
            }
            if (_seen.Add(key))
            {
                return new SearchCandidate(inner, type, order, key);
            }
            Duplicates++;
        }
    }

    /// <summary>
    /// The deduplication key of a PolyCom: its type, order and the canonical form of its inner function (built-ins
    /// expanded, simplified, sums and products flattened and sorted); null when <paramref name="inner"/> is not a
    /// valid inner function of x.
    /// </summary>
    public static string? KeyOf(int type, int order, string inner)
    {
        string? canonical = CanonicalForm.Of(inner, out _); // null also for an expression that does not depend on x
        return canonical is null ? null : string.Create(CultureInfo.InvariantCulture, $"type {type}, order {order}: {canonical}");
    }

    // An expression of exactly `operations` operations (a leaf has none).
    private string Expression(int operations)
    {
        if (operations == 0)
        {
            return Leaf();
        }
        if (operations >= 2 && _random.NextDouble() < 0.5)
        {
            int left = _random.Next(0, operations);
            string op = Binary[_random.Next(Binary.Length)];
            string a = Expression(left), b = Expression(operations - 1 - left);
            return op is "max" or "min" ? $"{op}({a}, {b})" : $"({a} {op} {b})";
        }
        string function = Unary[_random.Next(Unary.Length)];
        string argument = Expression(operations - 1);
        return function switch
        {
            "neg" => $"-({argument})",
            "square" => argument.Contains(' ', StringComparison.Ordinal) || argument.StartsWith('-') ? $"({argument})^2" : $"{argument}^2",
            _ => $"{function}({argument})",
        };
    }

    // x, a scaled x, or now and then a constant.
    private string Leaf()
    {
        double draw = _random.NextDouble();
        return draw < 0.6 ? "x"
            : draw < 0.9 ? $"{Scales[_random.Next(Scales.Length)]} * x"
            : Constants[_random.Next(Constants.Length)];
    }
}
