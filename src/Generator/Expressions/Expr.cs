using System;
using System.Collections.Generic;
using System.Linq;

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

    /// <summary>The variables of the tree, each once, in order of first occurrence.</summary>
    public IEnumerable<Variable> VariableNodes()
    {
        var seen = new HashSet<Variable>();
        var stack = new Stack<Expr>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            Expr e = stack.Pop();
            if (e is Variable v && seen.Add(v))
            {
                yield return v;
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
