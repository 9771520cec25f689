using System;

namespace PolyComGen;

/// <summary>
/// Declares an activation that is an expression itself, with no polynomial, weights or bias around it (Padé and
/// KAT rationals, xIELU, Swish-beta as published), usually with learnable <see cref="Parameters"/>. The PolyComGen
/// source generator completes the annotated <c>partial class</c> as a <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c>
/// whose forward and backward (the gradients of x and of every parameter) run as fused kernels, exactly as for
/// <see cref="PolyComAttribute"/>.
/// </summary>
/// <example><c>[Activation("x * sigmoid(beta * x)", Parameters = "beta = 1")] partial class SwishBeta;</c></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Declares the activation <paramref name="expression"/>.</summary>
    /// <param name="expression">
    /// The activation as an expression in x, in the language of <see cref="PolyComAttribute.Inner"/> (a built-in's
    /// name reads as its expression), using the names of <see cref="Parameters"/>; <c>norm(E)</c> is allowed around
    /// the whole expression. Mistakes are compile-time errors located inside the string.
    /// </param>
    public ActivationAttribute(string expression) => Expression = expression;

    /// <summary>The activation as an expression in x.</summary>
    public string Expression { get; }

    /// <inheritdoc cref="PolyComAttribute.Parameters"/>
    public string Parameters { get; set; } = "";

    /// <inheritdoc cref="PolyComAttribute.Groups"/>
    public int Groups { get; set; } = 1;

    /// <inheritdoc cref="PolyComAttribute.Shared"/>
    public string Shared { get; set; } = "";

    /// <inheritdoc cref="PolyComAttribute.Fit"/>
    public string Fit { get; set; } = "";

    /// <inheritdoc cref="PolyComAttribute.Experts"/>
    public int Experts { get; set; } = 1;

    /// <summary>The epsilon added to the mean square when the expression is <c>norm(E)</c>. Default 1e-6.</summary>
    public double Eps { get; set; } = PolyComAttribute.DefaultEps;
}
