using System;

namespace PolyComGen;

/// <summary>The activation a generated module computes: one point of the PolyCom spec space.</summary>
/// <param name="Type">1: <c>sum w_i rho(x)^i + b</c>; 2: <c>sum w_i rho(x^i) + b</c>.</param>
/// <param name="Inner">The canonical name of the inner function rho (see <see cref="PolyComSpec.InnerFunctions"/>).</param>
/// <param name="Order">The order r, 1 to 8.</param>
/// <param name="Eps">The epsilon of Norm; unused by the elementwise inner functions.</param>
public sealed record PolyComSpec(int Type, string Inner, int Order, double Eps)
{
    /// <summary>The canonical names of the supported inner functions.</summary>
    public static readonly string[] InnerFunctions =
        ["Norm", "ReLU", "Identity", "Abs", "Square", "Sigmoid", "Tanh", "SiLU", "GELU", "GELUTanh", "Softplus"];

    /// <summary>The highest supported order.</summary>
    public const int MaxOrder = 8;

    /// <summary>True when rho is RMS normalisation, the one inner function that reduces over a row.</summary>
    public bool IsRowwise => Inner == "Norm";

    /// <summary>Throws when the spec lies outside the supported space.</summary>
    public PolyComSpec Validate()
    {
        if (Type is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(Type), Type, "Type must be 1 or 2.");
        }
        if (Order is < 1 or > MaxOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(Order), Order, $"Order must be between 1 and {MaxOrder}.");
        }
        if (Array.IndexOf(InnerFunctions, Inner) < 0)
        {
            throw new ArgumentException($"Unknown inner function '{Inner}'; expected one of {string.Join(", ", InnerFunctions)}.", nameof(Inner));
        }
        if (IsRowwise && !(double.IsFinite(Eps) && Eps > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Eps), Eps, "Eps must be finite and positive.");
        }
        return this;
    }

    /// <summary>The spec as the attribute that declares it, e.g. <c>[PolyCom(Order = 3, Inner = "Norm", Type = 2)]</c>.</summary>
    public override string ToString() =>
        IsRowwise && Eps != PolyComAttribute.DefaultEps
            ? $"[PolyCom(Order = {Order}, Inner = \"{Inner}\", Type = {Type}, Eps = {Eps:R})]"
            : $"[PolyCom(Order = {Order}, Inner = \"{Inner}\", Type = {Type})]";
}
