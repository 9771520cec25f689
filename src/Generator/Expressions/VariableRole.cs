namespace PolyComGen.Generator.Expressions;

/// <summary>What a variable of a kernel plan stands for: the emitters spell each role, and never read a role from a name.</summary>
internal enum VariableRole
{
    /// <summary>A variable of an expression being built (the inner function's u, Type 1's v): substituted before a plan is made.</summary>
    Placeholder,

    /// <summary>The element of x.</summary>
    Input,

    /// <summary>The element of the incoming gradient dy.</summary>
    Upstream,

    /// <summary>The element of the gate (gated specs).</summary>
    Gate,

    /// <summary>
    /// A learnable parameter: a PolyCom's weight w[k-1] or bias, or one the declaration names; <see cref="Variable.Index"/>
    /// is its slot in the kernels' parameter vector (docs/math.md, "Learnable parameters").
    /// </summary>
    Parameter,

    /// <summary>The row length, as a real number (rowwise plans).</summary>
    RowLength,

    /// <summary>A scalar of the row or segment: a reduction's result, or a definition before or after a pass (statistics, scales, hoisted invariants).</summary>
    RowScalar,

    /// <summary>
    /// An element value a CPU kernel's first sweep of a row keeps in row buffer <see cref="Variable.Index"/> for its later
    /// sweeps (Composition.RowBuffers).
    /// </summary>
    Kept,

    /// <summary>The running total of a sum reduction, inside a sweep (the lowering's, so that a term's product becomes a fused multiply-add).</summary>
    Accumulator,
}
