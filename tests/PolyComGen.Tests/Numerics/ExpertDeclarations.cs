// Mixtures of experts: each declaration has a twin without Experts (in GridDeclarations.cs and Variants.cs) that
// ExpertTests apply expert by expert, with each expert's parameters, as the reference.

namespace PolyComGen.Tests.Numerics;

[PolyCom(Order = 3, Inner = "Norm", Type = 2, Experts = 4)] public partial class PolyNormExperts { }
[PolyCom(Order = 3, Inner = "ReLU", Type = 1, Experts = 3)] public partial class PolyReLUExperts { }
[PolyCom(Order = 3, Inner = "Norm", Type = 2, Gated = true, Experts = 3)] public partial class GatedPolyNormExperts { }
[Activation("0.5 * x + step(x) * softplus(alpha_p) * x^2 + (1 - step(x)) * (0.5 + softplus(alpha_n)) * (expm1(min(x, -1e-6)) - x)",
    Parameters = "alpha_p = 0.2036, alpha_n = -1.0502", Experts = 3)] public partial class XIELUExperts { }
[Activation("(a0 + a1 * x + a2 * x^2 + a3 * x^3 + a4 * x^4 + a5 * x^5) / (1 + abs(b1 * x) + abs(b2 * x^2) + abs(b3 * x^3) + abs(b4 * x^4))",
    Parameters = "a0 = 0.02, a1 = 0.5, a2 = 0.3, a3 = 0.05, a4 = 0.01, a5 = 0.001, b1 = 0.05, b2 = 0.2, b3 = 0.01, b4 = 0.01",
    Groups = 4, Shared = "a0, a1, a2, a3, a4, a5", Experts = 3)] public partial class KatGroupedRationalExperts { }
[PolyCom(Order = 2, Inner = "norm(x * sigmoid(beta * x))", Type = 1, Parameters = "beta = 1", Groups = 2, Gated = true, Experts = 2)]
public partial class GroupedGatedNormSwishBetaExperts { }
