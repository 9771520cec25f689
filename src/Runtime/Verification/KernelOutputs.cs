namespace PolyComGen.Verification;

/// <summary>What a forward and a backward produce, as float64 arrays: y, dx, the parameters' gradient and dgate (gated specs).</summary>
/// <param name="Y">The activation.</param>
/// <param name="Dx">The gradient of x.</param>
/// <param name="Dparameters">The gradient of the parameter vector, in the descriptor's slot order.</param>
/// <param name="Dgate">The gradient of the gate; null unless gated.</param>
public sealed record KernelOutputs(double[] Y, double[] Dx, double[] Dparameters, double[]? Dgate);
