using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Models;

/// <summary>A validated spec: what the composition builds kernels for. Equatable, so the pipeline caches it.</summary>
/// <param name="Type">1: sum w_k rho(x)^k + b; 2: sum w_k rho(x^k) + b. 1 for an <c>[Activation]</c>.</param>
/// <param name="Order">From <see cref="KernelContract.MinOrder"/> to <see cref="KernelContract.MaxOrder"/>; 1 for an <c>[Activation]</c>.</param>
/// <param name="Eps">norm()'s epsilon; the default when rho does not normalise.</param>
/// <param name="Gated">True when the activation is multiplied by a second input, the gate.</param>
/// <param name="Inner">rho; for an <c>[Activation]</c>, the activation itself.</param>
internal sealed record SpecModel(int Type, int Order, double Eps, bool Gated, InnerFunction Inner)
{
    /// <summary>True for <c>[PolyCom]</c>: a polynomial with weights and a bias around rho. False for <c>[Activation]</c>: rho alone.</summary>
    public bool Polynomial { get; init; } = true;

    /// <summary>The parameters the declaration names, in slot order.</summary>
    public EquatableArray<LearnedParameter> Learned { get; init; } = EquatableArray<LearnedParameter>.Empty;

    /// <summary>The <c>Parameters</c> argument as written (whitespace normalised); empty when none.</summary>
    public string ParametersText { get; init; } = "";

    /// <summary>The groups the last dimension splits into, each with its own value of every parameter not shared.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>The experts, each with its own value of every parameter, over rows grouped by expert (1: no experts).</summary>
    public int Experts { get; init; } = 1;

    /// <summary>The <c>Shared</c> argument: the parameters shared by all groups, in declaration order; empty when none.</summary>
    public string SharedText { get; init; } = "";

    /// <summary>The <c>Fit</c> target the initial values were fitted to (whitespace normalised); empty when none.</summary>
    public string FitText { get; init; } = "";

    /// <summary>The largest error of the fit on its interval (the Fit step of the composition); 0 without a fit.</summary>
    public double FitError { get; init; }

    /// <summary>The attribute as a user writes it.</summary>
    public string Attribute => SpecText.Attribute(Type, Inner.Text, Order, Eps, Gated, ParametersText, Groups, SharedText, FitText, activation: !Polynomial, experts: Experts);

    /// <summary>The formula, e.g. <c>y = sum_{i=1..3} w[i-1] * rho(x^i) + b, rho = Norm</c>.</summary>
    public string Formula => SpecText.Formula(Type, Inner.Text, Order, Gated, activation: !Polynomial);
}
