using System.Collections.Generic;

namespace PolyComGen.Generator.Expressions;

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
