using System.Linq;
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
    public static Tensor Forward(PolyComSpec spec, Tensor x, Tensor? gate, Tensor weight, Tensor bias) =>
        Forward(spec, x, gate, cat([weight.reshape(-1), bias.reshape(-1)], 0));

    /// <summary>
    /// The activation for every parameter in one vector, in the kernels' slot order: a PolyCom's weights and bias,
    /// then the parameters its declaration names (for an [Activation], those alone).
    /// </summary>
    /// <remarks>
    /// With Groups, the vector holds each group's slots in turn, and every parameter is the vector over the last
    /// dimension of its group's values, each repeated over the group's columns.
    /// </remarks>
    public static Tensor Forward(PolyComSpec spec, Tensor x, Tensor? gate, Tensor parameters)
    {
        if (spec.Activation)
        {
            return Inner(spec, x, parameters);
        }
        Tensor y = Slot(spec, parameters, spec.Order, x);
        for (int i = 1; i <= spec.Order; i++)
        {
            Tensor basis = spec.Type == 1 ? Inner(spec, x, parameters).pow(i) : Inner(spec, x.pow(i), parameters);
            y = y + Slot(spec, parameters, i - 1, x) * basis;
        }
        return gate is null ? y : y * gate;
    }

    /// <summary>Slot <paramref name="slot"/> of the parameters: a scalar, or with Groups a vector over x's last dimension.</summary>
    public static Tensor Slot(PolyComSpec spec, Tensor parameters, int slot, Tensor x) => spec.Groups == 1
        ? parameters[slot]
        : parameters.view(spec.Groups, -1).select(1, slot).repeat_interleave(x.shape[^1] / spec.Groups);

    /// <summary>rho of <paramref name="spec"/> applied to <paramref name="u"/>, with the named parameters of <paramref name="parameters"/>.</summary>
    public static Tensor Inner(PolyComSpec spec, Tensor u, Tensor parameters)
    {
        int first = spec.Activation ? 0 : spec.Order + 1;
        var names = Harness.LearnedNames(spec);
        Tensor P(string name)
        {
            int index = names.ToList().IndexOf(name);
            return index < 0 ? throw new ArgumentException($"{spec} declares no parameter {name}.") : Slot(spec, parameters, first + index, u);
        }
        return spec.Inner switch
        {
            // The parameterised specs of the grid, each written here by hand as its paper's code does.
            "x * sigmoid(beta * x)" => u * (P("beta") * u).sigmoid(),
            "tanh(alpha * x)" => (P("alpha") * u).tanh(),
            "norm(x * sigmoid(beta * x))" => Norm(u * (P("beta") * u).sigmoid(), spec.Eps),
            "norm(x + gamma * tanh(x))" => Norm(u + P("gamma") * u.tanh(), spec.Eps),
            // xIELU (Huang 2025; Apertus): torch.where(x > 0, alpha_p x^2 + beta x, (expm1(min(x, eps)) - x) alpha_n + beta x).
            XIELU => XieluForward(u, P("alpha_p"), P("alpha_n")),
            // Padé activation unit, "safe" version A of degrees (5, 4) (Molina et al. 2020), as its reference code writes it.
            PadeA54 => PadeForward(u, [P("a0"), P("a1"), P("a2"), P("a3"), P("a4"), P("a5")], [P("b1"), P("b2"), P("b3"), P("b4")]),
            _ => Inner(spec, u),
        };
    }

    /// <summary>The xIELU expression of the grid.</summary>
    public const string XIELU = "0.5 * x + step(x) * softplus(alpha_p) * x^2 + (1 - step(x)) * (0.5 + softplus(alpha_n)) * (expm1(min(x, -1e-6)) - x)";

    /// <summary>The PAU expression of the grid.</summary>
    public const string PadeA54 = "(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))";

    /// <summary>xIELU as the Apertus code writes it: softplus reparameterisations, beta 0.5, eps -1e-6.</summary>
    public static Tensor XieluForward(Tensor x, Tensor alphaP, Tensor alphaN)
    {
        Tensor ap = nn.functional.softplus(alphaP), an = 0.5 + nn.functional.softplus(alphaN);
        Tensor eps = full_like(x, -1e-6);
        return where(x > 0, ap * x * x + 0.5 * x, (minimum(x, eps).expm1() - x) * an + 0.5 * x);
    }

    /// <summary>P(x) / (1 + sum_j |b_j x^j|) with powers stacked, sums and abs, as PAU's and KAT's reference code does.</summary>
    public static Tensor PadeForward(Tensor x, Tensor[] numerator, Tensor[] denominator)
    {
        Tensor powers = stack(Enumerable.Range(0, numerator.Length).Select(i => x.pow(i)).ToArray(), -1);
        // Coefficients stacked on a last axis (per column with groups, as KAT's grouped kernels index them).
        Tensor p = (powers * stack(numerator, -1)).sum(-1);
        Tensor q = 1 + (powers.narrow(-1, 1, denominator.Length) * stack(denominator, -1)).abs().sum(-1);
        return p / q;
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
    /// <c>Forward</c> of a Norm spec for rows of any float32 magnitude, in float64 without overflow: Norm is
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
