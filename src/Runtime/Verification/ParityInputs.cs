namespace PolyComGen.Verification;

/// <summary>
/// The inputs of one parity check, already rounded to the storage format both sides see, in float64: x of
/// <see cref="Shape"/>, the gate (gated specs), the upstream gradient and the parameter vector.
/// </summary>
/// <param name="Shape">The input's shape [..., H]; rows are every leading dimension.</param>
/// <param name="X">The input, row-major.</param>
/// <param name="Gate">The gate, of x's shape; null unless gated.</param>
/// <param name="Dy">The upstream gradient, of x's shape.</param>
/// <param name="Parameters">The parameter vector, in the descriptor's slot order.</param>
public sealed record ParityInputs(long[] Shape, double[] X, double[]? Gate, double[] Dy, double[] Parameters)
{
    /// <summary>The row length H, the last dimension.</summary>
    public int Width => Shape.Length == 0 ? 1 : checked((int)Shape[^1]);

    /// <summary>The number of rows.</summary>
    public long Rows => Width == 0 ? 0 : X.LongLength / Width;
}
