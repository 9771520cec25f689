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
