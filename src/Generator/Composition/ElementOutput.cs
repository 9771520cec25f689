namespace PolyComGen.Generator.Composition;

/// <summary>The tensors a kernel writes element by element.</summary>
internal enum ElementOutput
{
    /// <summary>The forward's output y.</summary>
    Y,

    /// <summary>The gradient of x.</summary>
    Dx,

    /// <summary>The gradient of the gate (gated specs).</summary>
    Dgate,
}
