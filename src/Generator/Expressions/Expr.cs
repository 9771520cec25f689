using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// A scalar expression: constants, named variables, calls of the operations in <see cref="Operations"/>, and
/// whole-number powers. Equal trees compare equal (structurally, with cached hashes), which simplification and
/// common-subexpression elimination rely on. The whole activation is written in this language: the inner
/// function in <c>u</c>, and the kernels' per-element and per-row formulas in x, g, gate, the weights and row
/// statistics (Composition/).
/// </summary>
internal abstract class Expr : IEquatable<Expr>
{
    private int hash;

    public static readonly Expr Zero = new Constant(0);
    public static readonly Expr One = new Constant(1);

    public static Expr operator +(Expr a, Expr b) => Call(Operations.Add, a, b);
    public static Expr operator -(Expr a, Expr b) => Call(Operations.Subtract, a, b);
    public static Expr operator *(Expr a, Expr b) => Call(Operations.Multiply, a, b);
    public static Expr operator /(Expr a, Expr b) => Call(Operations.Divide, a, b);
    public static Expr operator -(Expr a) => Call(Operations.Negate, a);
    public static implicit operator Expr(double value) => new Constant(value);

    public static Expr Var(string name) => new Variable(name);

    public static Expr Call(Operation operation, params Expr[] arguments) => new Call(operation, arguments);

    public static Expr Pow(Expr @base, int exponent) => new Power(@base, exponent);

    /// <summary>The direct subexpressions.</summary>
    public abstract IReadOnlyList<Expr> Children { get; }

    /// <summary>True when <paramref name="name"/> occurs anywhere in the tree.</summary>
    public bool DependsOn(string name) => this is Variable v ? v.Name == name : Children.Any(c => c.DependsOn(name));

    /// <summary>The names of the variables in the tree, each once, in order of first occurrence.</summary>
    public IEnumerable<string> Variables()
    {
        var seen = new HashSet<string>();
        var stack = new Stack<Expr>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            Expr e = stack.Pop();
            if (e is Variable v && seen.Add(v.Name))
            {
                yield return v.Name;
            }
            for (int i = e.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(e.Children[i]);
            }
        }
    }

    /// <summary>The number of nodes, counting shared subtrees each time they occur.</summary>
    public int Size => 1 + Children.Sum(c => c.Size);

    public abstract bool Equals(Expr? other);

    public sealed override bool Equals(object? obj) => obj is Expr other && Equals(other);

    public sealed override int GetHashCode()
    {
        if (hash == 0)
        {
            int h = ComputeHash();
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }

    protected abstract int ComputeHash();

    public static bool operator ==(Expr? a, Expr? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Expr? a, Expr? b) => !(a == b);
}

/// <summary>A real constant.</summary>
internal sealed class Constant(double value) : Expr
{
    public double Value { get; } = value;

    public override IReadOnlyList<Expr> Children => Array.Empty<Expr>();

    public override bool Equals(Expr? other) => other is Constant c && c.Value.Equals(Value);

    protected override int ComputeHash() => Value.GetHashCode();

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A named variable: an element value (x, g, gate), a parameter (w1, b) or a row statistic.</summary>
internal sealed class Variable(string name) : Expr
{
    public string Name { get; } = name;

    public override IReadOnlyList<Expr> Children => Array.Empty<Expr>();

    public override bool Equals(Expr? other) => other is Variable v && v.Name == Name;

    protected override int ComputeHash() => StringComparer.Ordinal.GetHashCode(Name) * 7 + 1;

    public override string ToString() => Name;
}

/// <summary>An operation of the table applied to its arguments.</summary>
internal sealed class Call : Expr
{
    public Call(Operation operation, IReadOnlyList<Expr> arguments)
    {
        if (arguments.Count != operation.Arity)
        {
            throw new ArgumentException($"{operation.Name} takes {operation.Arity} argument(s), got {arguments.Count}.", nameof(arguments));
        }
        Operation = operation;
        Arguments = arguments.ToEquatableArray();
    }

    public Operation Operation { get; }

    public EquatableArray<Expr> Arguments { get; }

    public override IReadOnlyList<Expr> Children => Arguments.AsSpan().ToArray();

    public override bool Equals(Expr? other) =>
        ReferenceEquals(this, other) || (other is Call c && c.GetHashCode() == GetHashCode() && ReferenceEquals(c.Operation, Operation) && c.Arguments == Arguments);

    protected override int ComputeHash() => unchecked(StringComparer.Ordinal.GetHashCode(Operation.Name) * 31 + Arguments.GetHashCode());

    public override string ToString() => Operation.Infix is string infix
        ? Operation.Arity == 1 ? $"{infix}{Wrap(Arguments[0])}" : $"{Wrap(Arguments[0])} {infix} {Wrap(Arguments[1])}"
        : $"{Operation.Name}({string.Join(", ", Arguments)})";

    private static string Wrap(Expr e) => e is Call { Operation.Infix: not null } || e is Power || e is Constant { Value: < 0 } ? $"({e})" : e.ToString();
}

/// <summary>A whole-number power; the exponent is neither 0 nor 1 once simplified, and may be negative.</summary>
internal sealed class Power(Expr @base, int exponent) : Expr
{
    public Expr Base { get; } = @base;

    public int Exponent { get; } = exponent;

    public override IReadOnlyList<Expr> Children => new[] { Base };

    public override bool Equals(Expr? other) => ReferenceEquals(this, other) || (other is Power p && p.Exponent == Exponent && p.Base.Equals(Base));

    protected override int ComputeHash() => unchecked(Base.GetHashCode() * 17 + Exponent * 101 + 5);

    public override string ToString() => Base is Variable or Constant { Value: >= 0 } ? $"{Base}^{Exponent}" : $"({Base})^{Exponent}";
}
