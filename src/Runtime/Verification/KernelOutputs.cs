namespace PolyComGen.Verification;

/// <summary>What a forward and a backward produce, as float64 arrays: y, dx, dweight [Order], dbias [1] and dgate (gated specs).</summary>
/// <param name="Y">The activation.</param>
/// <param name="Dx">The gradient of x.</param>
/// <param name="Dweight">The gradient of the weights.</param>
/// <param name="Dbias">The gradient of the bias, one element.</param>
/// <param name="Dgate">The gradient of the gate; null unless gated.</param>
public sealed record KernelOutputs(double[] Y, double[] Dx, double[] Dweight, double[] Dbias, double[]? Dgate);
