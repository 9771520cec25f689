using System;
using System.Collections.Generic;

namespace PolyComGen.Generator.Expressions;

/// <summary>A named variable with its role: an element value (x, g, gate), a learnable parameter (w1, b, beta), a row scalar, or a placeholder.</summary>
internal sealed class Variable(string name, VariableRole role = VariableRole.Placeholder, int index = 0) : Expr
{
    public string Name { get; } = name;

    public VariableRole Role { get; } = role;

    /// <summary>The slot of a <see cref="VariableRole.Parameter"/> in the kernels' parameter vector; 0 otherwise.</summary>
    public int Index { get; } = index;

    /// <summary>True for the element values, which vary within a sweep (x, g, gate, and a value kept in a row buffer).</summary>
    public bool IsElement => Role is VariableRole.Input or VariableRole.Upstream or VariableRole.Gate or VariableRole.Kept;

    public override IReadOnlyList<Expr> Children => Array.Empty<Expr>();

    public override bool Equals(Expr? other) => other is Variable v && v.Name == Name && v.Role == Role && v.Index == Index;

    protected override int ComputeHash() => unchecked((StringComparer.Ordinal.GetHashCode(Name) * 7 + 1) * 13 + (int)Role * 3 + Index);

    public override string ToString() => Name;
}
