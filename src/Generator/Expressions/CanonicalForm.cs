using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Expressions.Language;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// One text per inner function up to spelling: the parsed expression (built-ins expanded, so silu(x) and
/// x * sigmoid(x) meet), simplified, with the operands of each chain of + and of * (and of max and min) flattened
/// and sorted. Two spellings with the same canonical form compute the same function; the run-time search uses it
/// to train each function once. Different forms may still be equal functions (x + x and 2 * x): it is a
/// deduplication, not a decision procedure.
/// </summary>
internal static class CanonicalForm
{
    /// <summary>The canonical text of an Inner (a built-in's name or an expression in x), or null with the parser's message.</summary>
    public static string? Of(string inner, out string? error)
    {
        InnerParseResult parsed = InnerParser.Parse(inner);
        if (parsed.Inner is not InnerFunction function)
        {
            error = parsed.Error?.Message ?? "the expression cannot be read";
            return null;
        }
        error = null;
        return Of(function);
    }

    /// <summary>The canonical text of <paramref name="inner"/>: norm(...) around the body's canonical text when normalised.</summary>
    public static string Of(InnerFunction inner)
    {
        string body = Print(Simplifier.Simplify(inner.Body));
        return inner.Normalized ? $"norm({body})" : body;
    }

    private static string Print(Expr e) => e switch
    {
        Constant c => c.Value.ToString("R", CultureInfo.InvariantCulture),
        Variable v => v.Name,
        Power p => $"({Print(p.Base)})^{p.Exponent.ToString(CultureInfo.InvariantCulture)}",
        Call c when IsCommutative(c.Operation) => $"{c.Operation.Name}({string.Join(", ", Operands(c.Operation, c).Select(Print).OrderBy(s => s, StringComparer.Ordinal))})",
        Call c => $"{c.Operation.Name}({string.Join(", ", c.Arguments.AsSpan().ToArray().Select(Print))})",
        _ => throw new ArgumentException($"Unknown expression node {e.GetType().Name}.", nameof(e)),
    };

    private static bool IsCommutative(Operation op) =>
        op == Operations.Add || op == Operations.Multiply || op == Operations.Max || op == Operations.Min;

    // The operands of a chain of one associative operation: a + (b + c) and (a + b) + c both give a, b, c.
    private static IEnumerable<Expr> Operands(Operation op, Expr e)
    {
        if (e is Call c && c.Operation == op)
        {
            foreach (Expr argument in c.Arguments.AsSpan().ToArray())
            {
                foreach (Expr operand in Operands(op, argument))
                {
                    yield return operand;
                }
            }
        }
        else
        {
            yield return e;
        }
    }
}
