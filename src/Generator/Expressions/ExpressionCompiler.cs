using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// Turns expressions into the statements and result strings of a dialect, computing each repeated subexpression
/// once (common-subexpression elimination over the structurally equal nodes of all roots). Powers climb a ladder,
/// x^n = x^(n-1) * x, so that x^2 ... x^r of one base cost r - 1 products between them.
/// </summary>
internal static class ExpressionCompiler
{
    /// <summary>What evaluating some roots takes: temporaries to declare first, then one string per root.</summary>
    public sealed record Compiled(IReadOnlyList<string> Statements, IReadOnlyList<string> Results);

    /// <param name="dialect">The target language.</param>
    /// <param name="variable">The spelling of each variable in the target code, by its role.</param>
    /// <param name="tempPrefix">The prefix of temporaries, unique in the enclosing scope.</param>
    /// <param name="roots">The expressions to evaluate.</param>
    public static Compiled Compile(Dialect dialect, Func<Variable, string> variable, string tempPrefix, IReadOnlyList<Expr> roots)
    {
        var uses = new Dictionary<Expr, int>();
        foreach (Expr root in roots)
        {
            CountUses(root, uses);
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
                Variable v => variable(v),
                Constant c => dialect.Constant(c.Value),
                Call c => dialect.Call(c.Operation, c.Arguments.AsSpan().ToArray().Select(Emit).ToArray()),
                Power p => EmitPower(p),
                _ => throw new ArgumentOutOfRangeException(nameof(e)),
            };
            if (uses[e] > 1 && e is not (Variable or Constant))
            {
                name = tempPrefix + names.Count.ToString(CultureInfo.InvariantCulture);
                statements.Add(dialect.Declare(name, text));
                names[e] = name;
                return name;
            }
            return text;
        }
        string EmitPower(Power p) => p.Exponent switch
        {
            >= 2 => dialect.Call(Operations.Multiply, [Emit(Rung(p)), Emit(p.Base)]),
            -1 => dialect.Call(Operations.Divide, [dialect.Constant(1), Emit(p.Base)]),
            _ => dialect.Call(Operations.Divide, [dialect.Constant(1), Emit(new Power(p.Base, -p.Exponent))]),
        };
        var results = roots.Select(Emit).ToList();
        return new Compiled(statements, results);
    }

    /// <summary>True when every operation in <paramref name="e"/> has a form in <paramref name="dialect"/>.</summary>
    public static bool Supports(Dialect dialect, Expr e) => e switch
    {
        Call c => dialect.Supports(c.Operation) && c.Arguments.All(a => Supports(dialect, a)),
        Power p => Supports(dialect, p.Base),
        _ => true,
    };

    // The power a power is built from: x^(n-1) for x^n with n >= 2 (x itself for n = 2).
    private static Expr Rung(Power p) => p.Exponent == 2 ? p.Base : new Power(p.Base, p.Exponent - 1);

    private static void CountUses(Expr e, Dictionary<Expr, int> uses)
    {
        uses.TryGetValue(e, out int seen);
        uses[e] = seen + 1;
        if (seen > 0)
        {
            return; // its children were counted with its first use
        }
        switch (e)
        {
            case Call c:
                foreach (Expr a in c.Arguments)
                {
                    CountUses(a, uses);
                }
                break;
            case Power { Exponent: >= 2 } p:
                CountUses(Rung(p), uses);
                CountUses(p.Base, uses);
                break;
            case Power p:
                CountUses(p.Exponent == -1 ? p.Base : new Power(p.Base, -p.Exponent), uses);
                break;
        }
    }
}
