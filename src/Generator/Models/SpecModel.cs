using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;

namespace PolyComGen.Generator.Models;

/// <summary>A validated PolyCom spec: what the composition builds kernels for. Equatable, so the pipeline caches it.</summary>
/// <param name="Type">1: sum w_k rho(x)^k + b; 2: sum w_k rho(x^k) + b.</param>
/// <param name="Order">From <see cref="KernelContract.MinOrder"/> to <see cref="KernelContract.MaxOrder"/>.</param>
/// <param name="Eps">norm()'s epsilon; the default when rho does not normalise.</param>
/// <param name="Gated">True when the activation is multiplied by a second input, the gate.</param>
/// <param name="Inner">rho.</param>
internal sealed record SpecModel(int Type, int Order, double Eps, bool Gated, InnerFunction Inner)
{
    /// <summary>The attribute as a user writes it.</summary>
    public string Attribute => SpecText.Attribute(Type, Inner.Text, Order, Eps, Gated);

    /// <summary>The formula, e.g. <c>y = sum_{i=1..3} w[i-1] * rho(x^i) + b, rho = Norm</c>.</summary>
    public string Formula => SpecText.Formula(Type, Inner.Text, Order, Gated);
}
