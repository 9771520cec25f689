using PolyComGen.Contract;

namespace PolyComGen;

/// <summary>
/// The activation a generated module computes, as its attribute declared it. Descriptive: the kernels and the
/// kernel contract (<see cref="KernelDescriptor"/>) carry everything the runtime needs.
/// </summary>
/// <param name="Type">1: <c>sum w_i rho(x)^i + b</c>; 2: <c>sum w_i rho(x^i) + b</c>.</param>
/// <param name="Inner">rho: a built-in's name, or the expression as written.</param>
/// <param name="Order">The order r.</param>
/// <param name="Eps">The epsilon of norm(); the default when rho does not normalise.</param>
/// <param name="Gated">True when the activation is multiplied by a second input, the gate.</param>
/// <param name="Parameters">The learnable parameters the declaration names, as written (<c>"beta = 1"</c>); empty when none.</param>
/// <param name="Activation">
/// True for an <c>[Activation]</c>: the activation is <paramref name="Inner"/> itself, with no polynomial, weights or
/// bias (Type and Order are then 1).
/// </param>
/// <param name="Groups">The groups the last dimension splits into, each with its own parameters (1: no groups).</param>
/// <param name="Shared">The parameters that keep one value for all groups, as written (<c>"a0, a1"</c>); empty when none.</param>
/// <param name="Fit">The target the initial values were fitted to at build time (<c>"gelu(x)"</c>); empty when none.</param>
/// <param name="FitError">The fit's largest error on its interval, [-3, 3]; 0 without a fit.</param>
/// <param name="Experts">The experts, each with its own parameters, over rows grouped by expert (1: no experts).</param>
public sealed record PolyComSpec(int Type, string Inner, int Order, double Eps, bool Gated = false, string Parameters = "", bool Activation = false,
    int Groups = 1, string Shared = "", string Fit = "", double FitError = 0, int Experts = 1)
{
    /// <summary>
    /// The spec as the attribute that declares it, e.g. <c>[PolyCom(Order = 3, Inner = "Norm", Type = 2)]</c> or
    /// <c>[Activation("x * sigmoid(beta * x)", Parameters = "beta = 1")]</c>.
    /// </summary>
    public override string ToString() => SpecText.Attribute(Type, Inner, Order, Eps, Gated, Parameters, Groups, Shared, Fit, activation: Activation, experts: Experts);

    /// <summary>The formula, e.g. <c>y = sum_{i=1..3} w[i-1] * rho(x^i) + b, rho = Norm</c>.</summary>
    public string Formula => SpecText.Formula(Type, Inner, Order, Gated, Activation);
}
