using System;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Support;

/// <summary>
/// The independent oracle: the paper's formulas written here as plain eager TorchSharp ops with ordinary autograd,
/// sharing no code with the generator, its expressions or the kernels.
/// </summary>
public static class Reference
{
    /// <summary>
    /// <c>sum_{i=1..r} weight[i-1] * rho(x)^i + bias</c> (Type 1) or <c>sum_{i=1..r} weight[i-1] * rho(x^i) + bias</c>
    /// (Type 2), times the gate for gated specs.
    /// </summary>
    public static Tensor Forward(PolyComSpec spec, Tensor x, Tensor? gate, Tensor weight, Tensor bias)
    {
        Tensor y = bias;
        for (int i = 1; i <= spec.Order; i++)
        {
            Tensor basis = spec.Type == 1 ? Inner(spec, x).pow(i) : Inner(spec, x.pow(i));
            y = y + weight[i - 1] * basis;
        }
        return gate is null ? y : y * gate;
    }

    /// <summary>rho of <paramref name="spec"/> applied to <paramref name="u"/>.</summary>
    public static Tensor Inner(PolyComSpec spec, Tensor u) => spec.Inner switch
    {
        // The expression specs of the grid, each written here by hand.
        "x * sigmoid(1.702 * x)" => u * (1.702 * u).sigmoid(),
        "x * tanh(softplus(x))" => u * nn.functional.softplus(u).tanh(),
        "min(max(x, -1), 1)" => u.clamp(-1, 1),
        "sqrt(x^2 + 1) - 1" => (u * u + 1).sqrt() - 1,
        "x^3 / (1 + x^2)" => u.pow(3) / (1 + u * u),
        "norm(tanh(x))" => Norm(u.tanh(), spec.Eps),
        "norm(relu(x))" => Norm(u.relu(), spec.Eps),
        "norm(x * sigmoid(x))" => Norm(u * u.sigmoid(), spec.Eps),
        "norm(exp(x) - 1)" => Norm(u.exp() - 1, spec.Eps),
        "max(x, 0) + expm1(min(x, 0))" => u.clamp_min(0) + u.clamp_max(0).expm1(), // ELU
        "Norm" => Norm(u, spec.Eps),
        "ReLU" => u.relu(),
        "Identity" => u,
        "Abs" => u.abs(),
        "Square" => u * u,
        "Sigmoid" => u.sigmoid(),
        "Tanh" => u.tanh(),
        "SiLU" => u * u.sigmoid(),
        "GELU" => 0.5 * u * (1 + special.erf(u / Math.Sqrt(2))),
        "GELUTanh" => 0.5 * u * (1 + (Math.Sqrt(2 / Math.PI) * (u + 0.044715 * u.pow(3))).tanh()),
        "Softplus" => u.clamp_min(0) + (-u.abs()).exp().log1p(), // log(1 + exp(u)), without overflow
        _ => throw new ArgumentException($"The oracle has no formula for rho = {spec.Inner}.", nameof(spec)),
    };

    /// <summary>RMS normalisation over the last dimension, as the paper's code writes it.</summary>
    public static Tensor Norm(Tensor u, double eps) => u * (u.pow(2).mean([-1], keepdim: true) + eps).rsqrt();

    /// <summary>
    /// <see cref="Forward"/> of a Norm spec for rows of any float32 magnitude, in float64 without overflow: Norm is
    /// scale-invariant, N(u) = N(u / c) with eps / c^2 in place of eps, for any constant c &gt; 0 (MATH.md, Numerics).
    /// With m = max(1, max |x|) per row, held constant for autograd, it takes c = m for Type 1's N(x) and c = m^i for
    /// Type 2's N(x^i), so every power of x / m lies in [-1, 1] (eps / c^2 may underflow to 0, where it is negligible).
    /// </summary>
    public static Tensor NormForwardRowScaled(PolyComSpec spec, Tensor x, Tensor weight, Tensor bias)
    {
        if (spec.Inner != "Norm")
        {
            throw new ArgumentException($"Only Norm is scale-invariant, not {spec.Inner}.", nameof(spec));
        }
        Tensor m = x.detach().abs().amax([-1], keepdim: true).clamp_min(1.0);
        Tensor xs = x / m;
        Tensor NormScaled(Tensor u, Tensor c) => u * (u.pow(2).mean([-1], keepdim: true) + spec.Eps / c.pow(2)).rsqrt();
        Tensor y = bias;
        for (int i = 1; i <= spec.Order; i++)
        {
            Tensor basis = spec.Type == 1 ? NormScaled(xs, m).pow(i) : NormScaled(xs.pow(i), m.pow(i));
            y = y + weight[i - 1] * basis;
        }
        return y;
    }
}
