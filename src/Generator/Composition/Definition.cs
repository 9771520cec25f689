using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>A row scalar bound to an expression: computed before or after a pass, and referred to as <see cref="Variable"/>.</summary>
internal sealed record Definition(string Name, Expr Value)
{
    /// <summary>The variable that refers to this scalar.</summary>
    public Variable Variable => PlanVariables.Row(Name);
}
