using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Turns expressions into statements and result strings of a target dialect, computing each repeated
/// subexpression once (common-subexpression elimination over the structurally equal nodes of all roots).
/// </summary>
internal static class ExpressionCompiler
{
    /// <summary>What evaluating some roots takes: temporaries to declare first, then one string per root.</summary>
    public sealed record Compiled(IReadOnlyList<string> Statements, IReadOnlyList<string> Results);

    /// <param name="dialect">The target language.</param>
    /// <param name="variable">The name the variable u has in the target code.</param>
    /// <param name="tempPrefix">The prefix of temporaries, unique in the enclosing scope.</param>
    /// <param name="roots">The expressions to evaluate.</param>
    public static Compiled Compile(ExpressionDialect dialect, string variable, string tempPrefix, params Expr[] roots)
    {
        var uses = new Dictionary<Expr, int>();
        foreach (Expr root in roots)
        {
            CountUses(root, uses, 1);
        }
        var names = new Dictionary<Expr, string>();
        var statements = new List<string>();
        string Emit(Expr e)
        {
            if (names.TryGetValue(e, out string? name))
            {
                return name;
            }
            string text = e switch
            {
                Variable => variable,
                Constant(var c) => dialect.Constant(c),
                Unary(var op, var a) => dialect.Unary(op, Emit(a)),
                Binary(var op, var a, var b) => dialect.Binary(op, Emit(a), Emit(b)),
                Power(var b, var n) => string.Join(" * ", Enumerable.Repeat(Emit(b), n)),
                _ => throw new System.ArgumentOutOfRangeException(nameof(e)),
            };
            if (e is Power)
            {
                text = "(" + text + ")";
            }
            if (uses[e] > 1 && e is not (Variable or Constant))
            {
                name = tempPrefix + names.Count;
                statements.Add(dialect.Declare(name, text));
                names[e] = name;
                return name;
            }
            return text;
        }
        var results = roots.Select(Emit).ToList();
        return new Compiled(statements, results);
    }

    private static void CountUses(Expr e, Dictionary<Expr, int> uses, int times)
    {
        uses.TryGetValue(e, out int seen);
        uses[e] = seen + times;
        if (seen > 0)
        {
            return; // its children were counted with its first use
        }
        switch (e)
        {
            case Unary(_, var a):
                CountUses(a, uses, 1);
                break;
            case Binary(_, var a, var b):
                CountUses(a, uses, 1);
                CountUses(b, uses, 1);
                break;
            case Power(var b, var n):
                CountUses(b, uses, n); // b * b * ... : a non-trivial base must become a temporary
                break;
        }
    }

    /// <summary>True when every node of <paramref name="e"/> has a form in <paramref name="dialect"/>.</summary>
    public static bool Supports(ExpressionDialect dialect, Expr e) => e switch
    {
        Unary(var op, var a) => dialect.Supports(op) && Supports(dialect, a),
        Binary(_, var a, var b) => Supports(dialect, a) && Supports(dialect, b),
        Power(var b, _) => Supports(dialect, b),
        _ => true,
    };
}
