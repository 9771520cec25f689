using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>The typed variables plans share with their emitters: each knows its role, which is what the emitters spell.</summary>
internal static class PlanVariables
{
    /// <summary>The element of x.</summary>
    public static readonly Variable X = new("x", VariableRole.Input);

    /// <summary>The element of the incoming gradient dy.</summary>
    public static readonly Variable Upstream = new("g", VariableRole.Upstream);

    /// <summary>The element of the gate (gated specs).</summary>
    public static readonly Variable Gate = new("gate", VariableRole.Gate);

    /// <summary>The bias.</summary>
    public static readonly Variable Bias = new("b", VariableRole.Bias);

    /// <summary>The row length, as a real number (rowwise plans).</summary>
    public static readonly Variable RowLength = new("h", VariableRole.RowLength);

    /// <summary>The weight w[k-1], for k from 1.</summary>
    public static Variable Weight(int k) => new("w" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), VariableRole.Weight, k);

    /// <summary>A row scalar: a reduction's result or a definition's name.</summary>
    public static Variable Row(string name) => new(name, VariableRole.RowScalar);

    /// <summary>The running total of the sum reduction <paramref name="name"/> inside a sweep.</summary>
    public static Variable Accumulator(string name) => new(name, VariableRole.Accumulator);
}
