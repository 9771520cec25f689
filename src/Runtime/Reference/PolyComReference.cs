using System;
using static TorchSharp.torch;

namespace PolyComGen.Reference;

/// <summary>
/// The paper's formulas as plain, eager TorchSharp ops with ordinary autograd: the oracle the fused kernels
/// are tested against and the eager baseline they are benchmarked against. It shares no code with the
/// generator or the kernels.
/// </summary>
public static class PolyComReference
{
    /// <summary>
    /// <c>sum_{i=1..r} weight[i-1] * rho(x)^i + bias</c> (Type 1) or <c>sum_{i=1..r} weight[i-1] * rho(x^i) + bias</c> (Type 2).
    /// </summary>
    public static Tensor Forward(PolyComSpec spec, Tensor x, Tensor weight, Tensor bias)
    {
        spec.Validate();
        Tensor y = bias;
        for (int i = 1; i <= spec.Order; i++)
        {
            Tensor basis = spec.Type == 1 ? Inner(spec, x).pow(i) : Inner(spec, x.pow(i));
            y = y + weight[i - 1] * basis;
        }
        return y;
    }

    /// <summary>The inner function rho of <paramref name="spec"/>, applied to <paramref name="u"/>.</summary>
    public static Tensor Inner(PolyComSpec spec, Tensor u) => spec.Inner switch
    {
        "Norm" => u * (u.pow(2).mean([-1], keepdim: true) + spec.Eps).rsqrt(),
        "ReLU" => u.relu(),
        "Identity" => u,
        "Abs" => u.abs(),
        "Square" => u * u,
        "Sigmoid" => u.sigmoid(),
        "Tanh" => u.tanh(),
        "SiLU" => u * u.sigmoid(),
        "GELU" => 0.5 * u * (1 + special.erf(u / Math.Sqrt(2))),
        "GELUTanh" => 0.5 * u * (1 + (Math.Sqrt(2 / Math.PI) * (u + 0.044715 * u.pow(3))).tanh()),
        "Softplus" => u.exp().log1p(),
        _ => throw new ArgumentException($"Unknown inner function '{spec.Inner}'.", nameof(spec)),
    };
}
