using System;
using System.Collections.Generic;
using System.Globalization;

namespace PolyComGen.Generator.Expressions;

/// <summary>A real constant.</summary>
internal sealed class Constant(double value) : Expr
{
    public double Value { get; } = value;

    public override IReadOnlyList<Expr> Children => Array.Empty<Expr>();

    public override bool Equals(Expr? other) => other is Constant c && c.Value.Equals(Value);

    protected override int ComputeHash() => Value.GetHashCode();

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}
