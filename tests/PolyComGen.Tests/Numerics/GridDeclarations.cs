// The spec grid: every built-in inner function, both types, orders 1 to 4, every order 1 to 8 for Norm, order 8 for
// Identity, expressions of the Inner language, with norm() of some, and gated specs (PolyNorm and PolyReLU, in Variants.cs, are
// its Norm Type 2 and ReLU Type 1 points of order 3). Each class is completed by the generator under test, like a user's.
// The GPU checker (tools/GpuCheck) compiles this file too, so that every spec of the grid runs on a real GPU.

namespace PolyComGen.Tests.Numerics;

[PolyCom(Order = 1, Inner = "Norm", Type = 1)] public partial class NormType1Order1 { }
[PolyCom(Order = 2, Inner = "Norm", Type = 1)] public partial class NormType1Order2 { }
[PolyCom(Order = 3, Inner = "Norm", Type = 1)] public partial class NormType1Order3 { }
[PolyCom(Order = 4, Inner = "Norm", Type = 1)] public partial class NormType1Order4 { }
[PolyCom(Order = 5, Inner = "Norm", Type = 1)] public partial class NormType1Order5 { }
[PolyCom(Order = 6, Inner = "Norm", Type = 1)] public partial class NormType1Order6 { }
[PolyCom(Order = 7, Inner = "Norm", Type = 1)] public partial class NormType1Order7 { }
[PolyCom(Order = 8, Inner = "Norm", Type = 1)] public partial class NormType1Order8 { }
[PolyCom(Order = 1, Inner = "Norm", Type = 2)] public partial class NormType2Order1 { }
[PolyCom(Order = 2, Inner = "Norm", Type = 2)] public partial class NormType2Order2 { }
[PolyCom(Order = 4, Inner = "Norm", Type = 2)] public partial class NormType2Order4 { }
[PolyCom(Order = 5, Inner = "Norm", Type = 2)] public partial class NormType2Order5 { }
[PolyCom(Order = 6, Inner = "Norm", Type = 2)] public partial class NormType2Order6 { }
[PolyCom(Order = 7, Inner = "Norm", Type = 2)] public partial class NormType2Order7 { }
[PolyCom(Order = 8, Inner = "Norm", Type = 2)] public partial class NormType2Order8 { }
[PolyCom(Order = 1, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order1 { }
[PolyCom(Order = 2, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order2 { }
[PolyCom(Order = 4, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order4 { }
[PolyCom(Order = 1, Inner = "ReLU", Type = 2)] public partial class ReLUType2Order1 { }
[PolyCom(Order = 2, Inner = "ReLU", Type = 2)] public partial class ReLUType2Order2 { }
[PolyCom(Order = 3, Inner = "ReLU", Type = 2)] public partial class ReLUType2Order3 { }
[PolyCom(Order = 4, Inner = "ReLU", Type = 2)] public partial class ReLUType2Order4 { }
[PolyCom(Order = 1, Inner = "Identity", Type = 1)] public partial class IdentityType1Order1 { }
[PolyCom(Order = 2, Inner = "Identity", Type = 1)] public partial class IdentityType1Order2 { }
[PolyCom(Order = 3, Inner = "Identity", Type = 1)] public partial class IdentityType1Order3 { }
[PolyCom(Order = 4, Inner = "Identity", Type = 1)] public partial class IdentityType1Order4 { }
[PolyCom(Order = 8, Inner = "Identity", Type = 1)] public partial class IdentityType1Order8 { }
[PolyCom(Order = 1, Inner = "Identity", Type = 2)] public partial class IdentityType2Order1 { }
[PolyCom(Order = 2, Inner = "Identity", Type = 2)] public partial class IdentityType2Order2 { }
[PolyCom(Order = 3, Inner = "Identity", Type = 2)] public partial class IdentityType2Order3 { }
[PolyCom(Order = 4, Inner = "Identity", Type = 2)] public partial class IdentityType2Order4 { }
[PolyCom(Order = 8, Inner = "Identity", Type = 2)] public partial class IdentityType2Order8 { }
[PolyCom(Order = 1, Inner = "Abs", Type = 1)] public partial class AbsType1Order1 { }
[PolyCom(Order = 2, Inner = "Abs", Type = 1)] public partial class AbsType1Order2 { }
[PolyCom(Order = 3, Inner = "Abs", Type = 1)] public partial class AbsType1Order3 { }
[PolyCom(Order = 4, Inner = "Abs", Type = 1)] public partial class AbsType1Order4 { }
[PolyCom(Order = 1, Inner = "Abs", Type = 2)] public partial class AbsType2Order1 { }
[PolyCom(Order = 2, Inner = "Abs", Type = 2)] public partial class AbsType2Order2 { }
[PolyCom(Order = 3, Inner = "Abs", Type = 2)] public partial class AbsType2Order3 { }
[PolyCom(Order = 4, Inner = "Abs", Type = 2)] public partial class AbsType2Order4 { }
[PolyCom(Order = 1, Inner = "Square", Type = 1)] public partial class SquareType1Order1 { }
[PolyCom(Order = 2, Inner = "Square", Type = 1)] public partial class SquareType1Order2 { }
[PolyCom(Order = 3, Inner = "Square", Type = 1)] public partial class SquareType1Order3 { }
[PolyCom(Order = 4, Inner = "Square", Type = 1)] public partial class SquareType1Order4 { }
[PolyCom(Order = 1, Inner = "Square", Type = 2)] public partial class SquareType2Order1 { }
[PolyCom(Order = 2, Inner = "Square", Type = 2)] public partial class SquareType2Order2 { }
[PolyCom(Order = 3, Inner = "Square", Type = 2)] public partial class SquareType2Order3 { }
[PolyCom(Order = 4, Inner = "Square", Type = 2)] public partial class SquareType2Order4 { }
[PolyCom(Order = 1, Inner = "Sigmoid", Type = 1)] public partial class SigmoidType1Order1 { }
[PolyCom(Order = 2, Inner = "Sigmoid", Type = 1)] public partial class SigmoidType1Order2 { }
[PolyCom(Order = 3, Inner = "Sigmoid", Type = 1)] public partial class SigmoidType1Order3 { }
[PolyCom(Order = 4, Inner = "Sigmoid", Type = 1)] public partial class SigmoidType1Order4 { }
[PolyCom(Order = 1, Inner = "Sigmoid", Type = 2)] public partial class SigmoidType2Order1 { }
[PolyCom(Order = 2, Inner = "Sigmoid", Type = 2)] public partial class SigmoidType2Order2 { }
[PolyCom(Order = 3, Inner = "Sigmoid", Type = 2)] public partial class SigmoidType2Order3 { }
[PolyCom(Order = 4, Inner = "Sigmoid", Type = 2)] public partial class SigmoidType2Order4 { }
[PolyCom(Order = 1, Inner = "Tanh", Type = 1)] public partial class TanhType1Order1 { }
[PolyCom(Order = 2, Inner = "Tanh", Type = 1)] public partial class TanhType1Order2 { }
[PolyCom(Order = 3, Inner = "Tanh", Type = 1)] public partial class TanhType1Order3 { }
[PolyCom(Order = 4, Inner = "Tanh", Type = 1)] public partial class TanhType1Order4 { }
[PolyCom(Order = 1, Inner = "Tanh", Type = 2)] public partial class TanhType2Order1 { }
[PolyCom(Order = 2, Inner = "Tanh", Type = 2)] public partial class TanhType2Order2 { }
[PolyCom(Order = 3, Inner = "Tanh", Type = 2)] public partial class TanhType2Order3 { }
[PolyCom(Order = 4, Inner = "Tanh", Type = 2)] public partial class TanhType2Order4 { }
[PolyCom(Order = 1, Inner = "SiLU", Type = 1)] public partial class SiLUType1Order1 { }
[PolyCom(Order = 2, Inner = "SiLU", Type = 1)] public partial class SiLUType1Order2 { }
[PolyCom(Order = 3, Inner = "SiLU", Type = 1)] public partial class SiLUType1Order3 { }
[PolyCom(Order = 4, Inner = "SiLU", Type = 1)] public partial class SiLUType1Order4 { }
[PolyCom(Order = 1, Inner = "SiLU", Type = 2)] public partial class SiLUType2Order1 { }
[PolyCom(Order = 2, Inner = "SiLU", Type = 2)] public partial class SiLUType2Order2 { }
[PolyCom(Order = 3, Inner = "SiLU", Type = 2)] public partial class SiLUType2Order3 { }
[PolyCom(Order = 4, Inner = "SiLU", Type = 2)] public partial class SiLUType2Order4 { }
[PolyCom(Order = 1, Inner = "GELU", Type = 1)] public partial class GELUType1Order1 { }
[PolyCom(Order = 2, Inner = "GELU", Type = 1)] public partial class GELUType1Order2 { }
[PolyCom(Order = 3, Inner = "GELU", Type = 1)] public partial class GELUType1Order3 { }
[PolyCom(Order = 4, Inner = "GELU", Type = 1)] public partial class GELUType1Order4 { }
[PolyCom(Order = 1, Inner = "GELU", Type = 2)] public partial class GELUType2Order1 { }
[PolyCom(Order = 2, Inner = "GELU", Type = 2)] public partial class GELUType2Order2 { }
[PolyCom(Order = 3, Inner = "GELU", Type = 2)] public partial class GELUType2Order3 { }
[PolyCom(Order = 4, Inner = "GELU", Type = 2)] public partial class GELUType2Order4 { }
[PolyCom(Order = 1, Inner = "GELUTanh", Type = 1)] public partial class GELUTanhType1Order1 { }
[PolyCom(Order = 2, Inner = "GELUTanh", Type = 1)] public partial class GELUTanhType1Order2 { }
[PolyCom(Order = 3, Inner = "GELUTanh", Type = 1)] public partial class GELUTanhType1Order3 { }
[PolyCom(Order = 4, Inner = "GELUTanh", Type = 1)] public partial class GELUTanhType1Order4 { }
[PolyCom(Order = 1, Inner = "GELUTanh", Type = 2)] public partial class GELUTanhType2Order1 { }
[PolyCom(Order = 2, Inner = "GELUTanh", Type = 2)] public partial class GELUTanhType2Order2 { }
[PolyCom(Order = 3, Inner = "GELUTanh", Type = 2)] public partial class GELUTanhType2Order3 { }
[PolyCom(Order = 4, Inner = "GELUTanh", Type = 2)] public partial class GELUTanhType2Order4 { }
[PolyCom(Order = 1, Inner = "Softplus", Type = 1)] public partial class SoftplusType1Order1 { }
[PolyCom(Order = 2, Inner = "Softplus", Type = 1)] public partial class SoftplusType1Order2 { }
[PolyCom(Order = 3, Inner = "Softplus", Type = 1)] public partial class SoftplusType1Order3 { }
[PolyCom(Order = 4, Inner = "Softplus", Type = 1)] public partial class SoftplusType1Order4 { }
[PolyCom(Order = 1, Inner = "Softplus", Type = 2)] public partial class SoftplusType2Order1 { }
[PolyCom(Order = 2, Inner = "Softplus", Type = 2)] public partial class SoftplusType2Order2 { }
[PolyCom(Order = 3, Inner = "Softplus", Type = 2)] public partial class SoftplusType2Order3 { }
[PolyCom(Order = 4, Inner = "Softplus", Type = 2)] public partial class SoftplusType2Order4 { }

// Expressions (the Inner language): each has its formula written by hand in Support/Reference.cs.
[PolyCom(Order = 3, Inner = "x * sigmoid(1.702 * x)", Type = 1)] public partial class QuickGELUType1Order3 { }
[PolyCom(Order = 3, Inner = "x * tanh(softplus(x))", Type = 1)] public partial class MishType1Order3 { }
[PolyCom(Order = 3, Inner = "min(max(x, -1), 1)", Type = 2)] public partial class HardTanhType2Order3 { }
[PolyCom(Order = 2, Inner = "sqrt(x^2 + 1) - 1", Type = 2)] public partial class SmoothAbsType2Order2 { }
[PolyCom(Order = 2, Inner = "x^3 / (1 + x^2)", Type = 1)] public partial class RationalType1Order2 { }
[PolyCom(Order = 3, Inner = "norm(tanh(x))", Type = 2)] public partial class NormTanhType2Order3 { }
[PolyCom(Order = 2, Inner = "norm(relu(x))", Type = 1)] public partial class NormReLUType1Order2 { }
[PolyCom(Order = 2, Inner = "norm(x * sigmoid(x))", Type = 2)] public partial class NormSiLUType2Order2 { }
[PolyCom(Order = 3, Inner = "norm(exp(x) - 1)", Type = 1)] public partial class NormExpm1Type1Order3 { }
[PolyCom(Order = 2, Inner = "max(x, 0) + expm1(min(x, 0))", Type = 1)] public partial class ELUType1Order2 { }

// Gated (PolyCom(x) * gate): every built-in inner function, both types, and two expressions.
[PolyCom(Order = 3, Inner = "Norm", Type = 2, Gated = true)] public partial class GatedNormType2Order3 { }
[PolyCom(Order = 2, Inner = "Norm", Type = 1, Gated = true)] public partial class GatedNormType1Order2 { }
[PolyCom(Order = 3, Inner = "ReLU", Type = 1, Gated = true)] public partial class GatedReLUType1Order3 { }
[PolyCom(Order = 2, Inner = "GELU", Type = 2, Gated = true)] public partial class GatedGELUType2Order2 { }
[PolyCom(Order = 1, Inner = "Identity", Type = 1, Gated = true)] public partial class GatedIdentityType1Order1 { }
[PolyCom(Order = 2, Inner = "Abs", Type = 1, Gated = true)] public partial class GatedAbsType1Order2 { }
[PolyCom(Order = 3, Inner = "Square", Type = 2, Gated = true)] public partial class GatedSquareType2Order3 { }
[PolyCom(Order = 2, Inner = "Sigmoid", Type = 2, Gated = true)] public partial class GatedSigmoidType2Order2 { }
[PolyCom(Order = 3, Inner = "Tanh", Type = 1, Gated = true)] public partial class GatedTanhType1Order3 { }
[PolyCom(Order = 3, Inner = "SiLU", Type = 1, Gated = true)] public partial class GatedSiLUType1Order3 { }
[PolyCom(Order = 2, Inner = "GELUTanh", Type = 1, Gated = true)] public partial class GatedGELUTanhType1Order2 { }
[PolyCom(Order = 4, Inner = "Softplus", Type = 2, Gated = true)] public partial class GatedSoftplusType2Order4 { }
[PolyCom(Order = 2, Inner = "x * sigmoid(1.702 * x)", Type = 1, Gated = true)] public partial class GatedQuickGELUType1Order2 { }
[PolyCom(Order = 2, Inner = "norm(tanh(x))", Type = 2, Gated = true)] public partial class GatedNormTanhType2Order2 { }

// Learnable parameters inside the expression (README, "Learnable parameters"): PolyCom of both types with a parameter
// elementwise and under norm(), gated, and [Activation]s as published (xIELU, a Padé activation unit of degrees
// (5, 4)), one under norm() and one without parameters.
[PolyCom(Order = 3, Inner = "x * sigmoid(beta * x)", Type = 1, Parameters = "beta = 1")] public partial class SwishBetaType1Order3 { }
[PolyCom(Order = 2, Inner = "tanh(alpha * x)", Type = 2, Parameters = "alpha = 0.5")] public partial class TanhAlphaType2Order2 { }
[PolyCom(Order = 3, Inner = "norm(x * sigmoid(beta * x))", Type = 2, Parameters = "beta = 1")] public partial class NormSwishBetaType2Order3 { }
[PolyCom(Order = 2, Inner = "x * sigmoid(beta * x)", Type = 1, Gated = true, Parameters = "beta = 1.5")] public partial class GatedSwishBetaType1Order2 { }
[Activation("0.5 * x + step(x) * softplus(alpha_p) * x^2 + (1 - step(x)) * (0.5 + softplus(alpha_n)) * (expm1(min(x, -1e-6)) - x)",
    Parameters = "alpha_p = 0.2036, alpha_n = -1.0502")] public partial class XIELU { }
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0.02, a1 = 0.5, a2 = 0.3, a3 = 0.05, a4 = 0.01, a5 = 0.001, b1 = 0.05, b2 = 0.2, b3 = 0.01, b4 = 0.01")] public partial class PadeA54 { }
[Activation("norm(x + gamma * tanh(x))", Parameters = "gamma = 0.5")] public partial class NormTanhGamma { }
[Activation("x * tanh(softplus(x))")] public partial class Mish { }

// Groups: the last dimension split into contiguous groups with their own parameters; a KAT-style group rational of
// degrees (5, 4) whose numerator all groups share, and a grouped PolyCom (weight [Groups, Order], bias and beta [Groups]).
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0.02, a1 = 0.5, a2 = 0.3, a3 = 0.05, a4 = 0.01, a5 = 0.001, b1 = 0.05, b2 = 0.2, b3 = 0.01, b4 = 0.01",
    Groups = 4, Shared = "a0, a1, a2, a3, a4, a5")] public partial class KatGroupedRational { }
[PolyCom(Order = 2, Inner = "x * sigmoid(beta * x)", Type = 1, Parameters = "beta = 1", Groups = 2)] public partial class GroupedSwishBetaType1Order2 { }

// Fit: a Padé unit's initial values fitted to GELU at build time.
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0, a1 = 0.5, a2 = 0.3, a3 = 0.1, a4 = 0.01, a5 = 0, b1 = 0.1, b2 = 0.2, b3 = 0.05, b4 = 0.01", Fit = "gelu(x)")] public partial class PadeGeluFit { }

// Groups under norm(): the row normalised as a whole, each group of columns with its own weights and bias (a grouped
// PolyNorm, as Motif keeps PolyNorm's coefficients per expert), and a parameter inside norm() per group.
[PolyCom(Order = 3, Inner = "Norm", Type = 2, Groups = 4)] public partial class GroupedPolyNorm { }
[PolyCom(Order = 2, Inner = "norm(x * sigmoid(beta * x))", Type = 1, Parameters = "beta = 1", Groups = 2, Gated = true)] public partial class GroupedGatedNormSwishBetaType1Order2 { }
[Activation("norm(x + gamma * tanh(x))", Parameters = "gamma = 0.5", Groups = 3)] public partial class GroupedNormTanhGamma { }
