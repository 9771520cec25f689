using PolyComGen;

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
