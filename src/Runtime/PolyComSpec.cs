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
public sealed record PolyComSpec(int Type, string Inner, int Order, double Eps, bool Gated = false)
{
    /// <summary>The spec as the attribute that declares it, e.g. <c>[PolyCom(Order = 3, Inner = "Norm", Type = 2)]</c>.</summary>
    public override string ToString() => SpecText.Attribute(Type, Inner, Order, Eps, Gated);

    /// <summary>The formula, e.g. <c>y = sum_{i=1..3} w[i-1] * rho(x^i) + b, rho = Norm</c>.</summary>
    public string Formula => SpecText.Formula(Type, Inner, Order, Gated);
}
