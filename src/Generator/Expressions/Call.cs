using System;
using System.Collections.Generic;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Expressions;

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
