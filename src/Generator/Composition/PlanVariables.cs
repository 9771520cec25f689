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


    /// <summary>The row length, as a real number (rowwise plans).</summary>
    public static readonly Variable RowLength = new("h", VariableRole.RowLength);

    /// <summary>A PolyCom's weight w[k-1], for k from 1: slot k - 1.</summary>
    public static Variable Weight(int k) => new("w" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), VariableRole.Parameter, k - 1);

    /// <summary>A PolyCom's bias: the slot after the <paramref name="order"/> weights.</summary>
    public static Variable Bias(int order) => new("b", VariableRole.Parameter, order);

    /// <summary>
    /// A parameter the declaration names, in <paramref name="slot"/>. Its variable is "p_" and the name, so that it
    /// never meets a name of the composition (u, v, h, s1 ...) or of the kernels.
    /// </summary>
    public static Variable Learned(string name, int slot) => new(LearnedPrefix + name, VariableRole.Parameter, slot);

    /// <summary>What a named parameter's variable starts with.</summary>
    public const string LearnedPrefix = "p_";

    /// <summary>A row scalar: a reduction's result or a definition's name.</summary>
    public static Variable Row(string name) => new(name, VariableRole.RowScalar);

    /// <summary>The element's value in row buffer <paramref name="buffer"/> (<see cref="RowBuffers"/>).</summary>
    public static Variable Kept(int buffer) => new("kept" + buffer.ToString(System.Globalization.CultureInfo.InvariantCulture), VariableRole.Kept, buffer);

    /// <summary>The running total of the sum reduction <paramref name="name"/> inside a sweep.</summary>
    public static Variable Accumulator(string name) => new(name, VariableRole.Accumulator);
}
