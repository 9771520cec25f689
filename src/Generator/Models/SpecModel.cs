namespace PolyComGen.Generator.Models;

/// <summary>A validated PolyCom spec: what the emitters generate kernels for.</summary>
/// <param name="Type">1 or 2.</param>
/// <param name="Inner">The canonical inner-function name.</param>
/// <param name="Order">1 to <see cref="MaxOrder"/>.</param>
/// <param name="Eps">Norm's epsilon.</param>
internal sealed record SpecModel(int Type, string Inner, int Order, double Eps)
{
    public const int MaxOrder = 8;
    public const double DefaultEps = 1e-6;

    public bool IsNorm => Inner == Expressions.InnerFunctions.Norm;
}
