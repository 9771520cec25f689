using System;

namespace PolyComGen;

/// <summary>
/// Declares a PolyCom activation. The PolyComGen source generator completes the annotated
/// <c>partial class</c> as a <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c> (with two inputs when
/// <see cref="Gated"/>) whose forward and backward run as fused kernels.
/// </summary>
/// <remarks>
/// Type 1 computes <c>y = sum_{i=1..Order} weight[i-1] * rho(x)^i + bias</c>;
/// Type 2 computes <c>y = sum_{i=1..Order} weight[i-1] * rho(x^i) + bias</c>, where rho is <see cref="Inner"/>.
/// The defaults declare PolyNorm: <c>[PolyCom(Order = 3, Inner = "Norm", Type = 2)]</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PolyComAttribute : Attribute
{
    /// <summary>The default RMS-normalisation epsilon.</summary>
    public const double DefaultEps = Contract.KernelContract.DefaultEps;

    /// <summary>The order r of the polynomial, 1 to 8. Default 3.</summary>
    public int Order { get; set; } = Contract.KernelContract.DefaultOrder;

    /// <summary>
    /// The inner function rho: a built-in, case-insensitive (Norm, RMS normalisation over the last dimension; ReLU,
    /// Identity, Abs, Square, Sigmoid, Tanh, SiLU, GELU, GELUTanh or Softplus), or an expression in x such as
    /// <c>"x * sigmoid(1.702 * x)"</c>, optionally normalised as a whole: <c>"norm(tanh(x))"</c>. Default Norm.
    /// Mistakes in an expression are compile-time errors located inside the string.
    /// </summary>
    public string Inner { get; set; } = Contract.KernelContract.DefaultInner;

    /// <summary>1 for <c>sum w_i rho(x)^i + b</c>, 2 for <c>sum w_i rho(x^i) + b</c>. Default 2.</summary>
    public int Type { get; set; } = Contract.KernelContract.DefaultType;

    /// <summary>The epsilon added to the mean square when <see cref="Inner"/> normalises (Norm or norm(...)). Default 1e-6.</summary>
    public double Eps { get; set; } = DefaultEps;

    /// <summary>
    /// True for the gated form, <c>PolyCom(x) * gate</c>, as in a gated MLP <c>down(act(gate_proj(h)) * up_proj(h))</c>:
    /// the module is then a <c>Module&lt;Tensor, Tensor, Tensor&gt;</c> whose <c>forward(x, gate)</c> takes a gate of
    /// x's shape, dtype and device (no broadcasting), with the same parameters. Default false.
    /// </summary>
    public bool Gated { get; set; }

    /// <summary>
    /// Learnable scalars used in the expression, each <c>name = initial value</c>, separated by commas:
    /// <c>"beta = 1, gamma = -0.5"</c>. Names are identifiers other than x, pi, e, the functions, weight, bias and
    /// Python's keywords, compared ignoring case; each becomes a TorchSharp parameter of shape [1] whose state_dict key
    /// is its name, trained with the module, its gradient computed in the same fused backward. Default none.
    /// </summary>
    public string Parameters { get; set; } = "";

    /// <summary>
    /// Splits the last dimension into this many contiguous groups of equal length (from 1 to 64), each with its own value
    /// of every parameter: <c>weight</c> becomes [Groups, Order], <c>bias</c> and every named parameter [Groups]
    /// (those in <see cref="Shared"/> keep one value). An input whose last dimension is not divisible by it is an
    /// ArgumentException before any kernel runs. Under norm(E) the row is still normalised as a whole. Default 1.
    /// </summary>
    public int Groups { get; set; } = 1;

    /// <summary>
    /// The named parameters (of <see cref="Parameters"/>) that keep one value for all groups, separated by commas:
    /// <c>"a0, a1"</c> (KAT shares its numerator). Default none.
    /// </summary>
    public string Shared { get; set; } = "";

    /// <summary>
    /// An expression of x (<c>"gelu(x)"</c>) that the initial values of <see cref="Parameters"/> are fitted to at build
    /// time, by least squares on 2001 equally spaced points of [-3, 3], starting from the declared values (PAU and KAT
    /// initialise their rationals so); a PolyCom's weights and bias keep their defaults. The generated documentation
    /// states the fit's largest error; a fit that does not converge is warning PCG0031. Elementwise activations only.
    /// Default none.
    /// </summary>
    public string Fit { get; set; } = "";

    /// <summary>
    /// A mixture of experts: this many experts, each with its own value of every parameter (<c>weight</c> becomes
    /// [Experts, Order], <c>bias</c> [Experts], a named parameter [Experts], or [Experts, Groups] with
    /// <see cref="Groups"/>), all initialised alike; state_dict keys keep their names. The module's forward then takes
    /// the rows grouped by expert and the group boundaries, as grouped GEMMs take them: <c>forward(x, offsets)</c>
    /// (gated: <c>forward(x, gate, offsets)</c>) with x of shape [N, H] and offsets int64 [Experts + 1], non-decreasing
    /// from 0 to N, expert e's rows at <c>offsets[e]..offsets[e+1]</c> (an expert may have none). From 1 (no experts)
    /// to 4096. Default 1.
    /// </summary>
    public int Experts { get; set; } = 1;
}
