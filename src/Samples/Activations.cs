namespace PolyComGen.Samples;

/// <summary>PolyNorm from the paper: sum_i w_i Norm(x^i) + b, order 3.</summary>
[PolyCom(Order = 3, Inner = "Norm", Type = 2)]
public partial class PolyNorm { }

/// <summary>PolyReLU from the paper: sum_i w_i ReLU(x)^i + b, order 3.</summary>
[PolyCom(Order = 3, Inner = "ReLU", Type = 1)]
public partial class PolyReLU { }

/// <summary>A smooth variant: sum_i w_i GELU(x)^i + b, order 3.</summary>
[PolyCom(Order = 3, Inner = "GELU", Type = 1)]
public partial class PolyGELU { }

/// <summary>A Type 2 variant with a bounded inner function: sum_i w_i tanh(x^i) + b, order 4.</summary>
[PolyCom(Order = 4, Inner = "Tanh", Type = 2)]
public partial class PolyTanh { }

/// <summary>Written as an expression: Type 1 over QuickGELU, x * sigmoid(1.702 x), order 3.</summary>
[PolyCom(Order = 3, Inner = "x * sigmoid(1.702 * x)", Type = 1)]
public partial class PolyQuickGELU { }

/// <summary>Written as an expression: Type 1 over Mish, x * tanh(softplus(x)), order 3.</summary>
[PolyCom(Order = 3, Inner = "x * tanh(softplus(x))", Type = 1)]
public partial class PolyMish { }

/// <summary>Written as an expression: PolyNorm's Type 2 with SiLU inside the normalisation, norm(silu(x^i)), order 3.</summary>
[PolyCom(Order = 3, Inner = "norm(x * sigmoid(x))", Type = 2)]
public partial class PolyNormSiLU { }

/// <summary>Gated PolyNorm, PolyNorm(a) * b: the gated MLP form of SwiGLU, down(PolyNorm(gate(x)) * up(x)).</summary>
[PolyCom(Order = 3, Inner = "Norm", Type = 2, Gated = true)]
public partial class PolyNormGLU { }

/// <summary>Gated PolyReLU, PolyReLU(a) * b, in the same gated MLP form.</summary>
[PolyCom(Order = 3, Inner = "ReLU", Type = 1, Gated = true)]
public partial class PolyReLUGLU { }

/// <summary>Swish-beta inside PolyCom: sum_i w_i (x sigmoid(beta x))^i + b, order 3, with the slope beta learned.</summary>
[PolyCom(Order = 3, Inner = "x * sigmoid(beta * x)", Type = 1, Parameters = "beta = 1")]
public partial class PolySwishBeta { }

/// <summary>
/// A Padé activation unit (Molina et al., ICLR 2020), "safe" version A of degrees (5, 4):
/// P(x) / (1 + sum_j |b_j x^j|), its ten coefficients learned, initialised by a least-squares fit to GELU.
/// </summary>
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0, a1 = 0.5, a2 = 0.3, a3 = 0.1, a4 = 0.01, a5 = 0, b1 = 0.1, b2 = 0.2, b3 = 0.05, b4 = 0.01", Fit = "gelu(x)")]
public partial class PAU { }

/// <summary>
/// The group rational of the Kolmogorov-Arnold Transformer (KAT, ICLR 2025): PAU's (5, 4) rational with the channels
/// split into 8 groups, the numerator shared by all groups and one denominator per group, initialised from GELU.
/// </summary>
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0, a1 = 0.5, a2 = 0.3, a3 = 0.1, a4 = 0.01, a5 = 0, b1 = 0.1, b2 = 0.2, b3 = 0.05, b4 = 0.01", Fit = "gelu(x)",
    Groups = 8, Shared = "a0, a1, a2, a3, a4, a5")]
public partial class KAT { }

/// <summary>
/// xIELU (Huang, 2025; the Apertus LLMs): alpha_p x^2 + beta x for x &gt; 0, alpha_n (expm1(min(x, eps)) - x) + beta x
/// otherwise, with alpha_p = softplus(a_p) and alpha_n = beta + softplus(a_n) learned, beta = 0.5, eps = -1e-6; a_p
/// and a_n start where alpha_p = alpha_n = 0.8.
/// </summary>
[Activation("0.5 * x + step(x) * softplus(a_p) * x^2 + (1 - step(x)) * (0.5 + softplus(a_n)) * (expm1(min(x, -1e-6)) - x)",
    Parameters = "a_p = 0.2037, a_n = -1.0502")]
public partial class XIELU { }
