// The spec grid of the generator issue: every inner function, both types, orders 1 to 4, and order 8 for
// Identity and Norm. Each class is completed by the generator under test, like a user's.
using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

[PolyCom(Order = 1, Inner = "Norm", Type = 1)] public partial class NormType1Order1 { }
[PolyCom(Order = 2, Inner = "Norm", Type = 1)] public partial class NormType1Order2 { }
[PolyCom(Order = 3, Inner = "Norm", Type = 1)] public partial class NormType1Order3 { }
[PolyCom(Order = 4, Inner = "Norm", Type = 1)] public partial class NormType1Order4 { }
[PolyCom(Order = 8, Inner = "Norm", Type = 1)] public partial class NormType1Order8 { }
[PolyCom(Order = 1, Inner = "Norm", Type = 2)] public partial class NormType2Order1 { }
[PolyCom(Order = 2, Inner = "Norm", Type = 2)] public partial class NormType2Order2 { }
[PolyCom(Order = 3, Inner = "Norm", Type = 2)] public partial class NormType2Order3 { }
[PolyCom(Order = 4, Inner = "Norm", Type = 2)] public partial class NormType2Order4 { }
[PolyCom(Order = 8, Inner = "Norm", Type = 2)] public partial class NormType2Order8 { }
[PolyCom(Order = 1, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order1 { }
[PolyCom(Order = 2, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order2 { }
[PolyCom(Order = 3, Inner = "ReLU", Type = 1)] public partial class ReLUType1Order3 { }
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

public static class SpecGrid
{
    /// <summary>Every spec of the grid with a factory for its generated module and its CUDA source.</summary>
    public static readonly IReadOnlyList<(PolyComSpec Spec, Func<nn.Module<Tensor, Tensor>> Create, string CudaSource)> All =
    [
        (NormType1Order1.Spec, () => new NormType1Order1(), NormType1Order1.CudaSource),
        (NormType1Order2.Spec, () => new NormType1Order2(), NormType1Order2.CudaSource),
        (NormType1Order3.Spec, () => new NormType1Order3(), NormType1Order3.CudaSource),
        (NormType1Order4.Spec, () => new NormType1Order4(), NormType1Order4.CudaSource),
        (NormType1Order8.Spec, () => new NormType1Order8(), NormType1Order8.CudaSource),
        (NormType2Order1.Spec, () => new NormType2Order1(), NormType2Order1.CudaSource),
        (NormType2Order2.Spec, () => new NormType2Order2(), NormType2Order2.CudaSource),
        (NormType2Order3.Spec, () => new NormType2Order3(), NormType2Order3.CudaSource),
        (NormType2Order4.Spec, () => new NormType2Order4(), NormType2Order4.CudaSource),
        (NormType2Order8.Spec, () => new NormType2Order8(), NormType2Order8.CudaSource),
        (ReLUType1Order1.Spec, () => new ReLUType1Order1(), ReLUType1Order1.CudaSource),
        (ReLUType1Order2.Spec, () => new ReLUType1Order2(), ReLUType1Order2.CudaSource),
        (ReLUType1Order3.Spec, () => new ReLUType1Order3(), ReLUType1Order3.CudaSource),
        (ReLUType1Order4.Spec, () => new ReLUType1Order4(), ReLUType1Order4.CudaSource),
        (ReLUType2Order1.Spec, () => new ReLUType2Order1(), ReLUType2Order1.CudaSource),
        (ReLUType2Order2.Spec, () => new ReLUType2Order2(), ReLUType2Order2.CudaSource),
        (ReLUType2Order3.Spec, () => new ReLUType2Order3(), ReLUType2Order3.CudaSource),
        (ReLUType2Order4.Spec, () => new ReLUType2Order4(), ReLUType2Order4.CudaSource),
        (IdentityType1Order1.Spec, () => new IdentityType1Order1(), IdentityType1Order1.CudaSource),
        (IdentityType1Order2.Spec, () => new IdentityType1Order2(), IdentityType1Order2.CudaSource),
        (IdentityType1Order3.Spec, () => new IdentityType1Order3(), IdentityType1Order3.CudaSource),
        (IdentityType1Order4.Spec, () => new IdentityType1Order4(), IdentityType1Order4.CudaSource),
        (IdentityType1Order8.Spec, () => new IdentityType1Order8(), IdentityType1Order8.CudaSource),
        (IdentityType2Order1.Spec, () => new IdentityType2Order1(), IdentityType2Order1.CudaSource),
        (IdentityType2Order2.Spec, () => new IdentityType2Order2(), IdentityType2Order2.CudaSource),
        (IdentityType2Order3.Spec, () => new IdentityType2Order3(), IdentityType2Order3.CudaSource),
        (IdentityType2Order4.Spec, () => new IdentityType2Order4(), IdentityType2Order4.CudaSource),
        (IdentityType2Order8.Spec, () => new IdentityType2Order8(), IdentityType2Order8.CudaSource),
        (AbsType1Order1.Spec, () => new AbsType1Order1(), AbsType1Order1.CudaSource),
        (AbsType1Order2.Spec, () => new AbsType1Order2(), AbsType1Order2.CudaSource),
        (AbsType1Order3.Spec, () => new AbsType1Order3(), AbsType1Order3.CudaSource),
        (AbsType1Order4.Spec, () => new AbsType1Order4(), AbsType1Order4.CudaSource),
        (AbsType2Order1.Spec, () => new AbsType2Order1(), AbsType2Order1.CudaSource),
        (AbsType2Order2.Spec, () => new AbsType2Order2(), AbsType2Order2.CudaSource),
        (AbsType2Order3.Spec, () => new AbsType2Order3(), AbsType2Order3.CudaSource),
        (AbsType2Order4.Spec, () => new AbsType2Order4(), AbsType2Order4.CudaSource),
        (SquareType1Order1.Spec, () => new SquareType1Order1(), SquareType1Order1.CudaSource),
        (SquareType1Order2.Spec, () => new SquareType1Order2(), SquareType1Order2.CudaSource),
        (SquareType1Order3.Spec, () => new SquareType1Order3(), SquareType1Order3.CudaSource),
        (SquareType1Order4.Spec, () => new SquareType1Order4(), SquareType1Order4.CudaSource),
        (SquareType2Order1.Spec, () => new SquareType2Order1(), SquareType2Order1.CudaSource),
        (SquareType2Order2.Spec, () => new SquareType2Order2(), SquareType2Order2.CudaSource),
        (SquareType2Order3.Spec, () => new SquareType2Order3(), SquareType2Order3.CudaSource),
        (SquareType2Order4.Spec, () => new SquareType2Order4(), SquareType2Order4.CudaSource),
        (SigmoidType1Order1.Spec, () => new SigmoidType1Order1(), SigmoidType1Order1.CudaSource),
        (SigmoidType1Order2.Spec, () => new SigmoidType1Order2(), SigmoidType1Order2.CudaSource),
        (SigmoidType1Order3.Spec, () => new SigmoidType1Order3(), SigmoidType1Order3.CudaSource),
        (SigmoidType1Order4.Spec, () => new SigmoidType1Order4(), SigmoidType1Order4.CudaSource),
        (SigmoidType2Order1.Spec, () => new SigmoidType2Order1(), SigmoidType2Order1.CudaSource),
        (SigmoidType2Order2.Spec, () => new SigmoidType2Order2(), SigmoidType2Order2.CudaSource),
        (SigmoidType2Order3.Spec, () => new SigmoidType2Order3(), SigmoidType2Order3.CudaSource),
        (SigmoidType2Order4.Spec, () => new SigmoidType2Order4(), SigmoidType2Order4.CudaSource),
        (TanhType1Order1.Spec, () => new TanhType1Order1(), TanhType1Order1.CudaSource),
        (TanhType1Order2.Spec, () => new TanhType1Order2(), TanhType1Order2.CudaSource),
        (TanhType1Order3.Spec, () => new TanhType1Order3(), TanhType1Order3.CudaSource),
        (TanhType1Order4.Spec, () => new TanhType1Order4(), TanhType1Order4.CudaSource),
        (TanhType2Order1.Spec, () => new TanhType2Order1(), TanhType2Order1.CudaSource),
        (TanhType2Order2.Spec, () => new TanhType2Order2(), TanhType2Order2.CudaSource),
        (TanhType2Order3.Spec, () => new TanhType2Order3(), TanhType2Order3.CudaSource),
        (TanhType2Order4.Spec, () => new TanhType2Order4(), TanhType2Order4.CudaSource),
        (SiLUType1Order1.Spec, () => new SiLUType1Order1(), SiLUType1Order1.CudaSource),
        (SiLUType1Order2.Spec, () => new SiLUType1Order2(), SiLUType1Order2.CudaSource),
        (SiLUType1Order3.Spec, () => new SiLUType1Order3(), SiLUType1Order3.CudaSource),
        (SiLUType1Order4.Spec, () => new SiLUType1Order4(), SiLUType1Order4.CudaSource),
        (SiLUType2Order1.Spec, () => new SiLUType2Order1(), SiLUType2Order1.CudaSource),
        (SiLUType2Order2.Spec, () => new SiLUType2Order2(), SiLUType2Order2.CudaSource),
        (SiLUType2Order3.Spec, () => new SiLUType2Order3(), SiLUType2Order3.CudaSource),
        (SiLUType2Order4.Spec, () => new SiLUType2Order4(), SiLUType2Order4.CudaSource),
        (GELUType1Order1.Spec, () => new GELUType1Order1(), GELUType1Order1.CudaSource),
        (GELUType1Order2.Spec, () => new GELUType1Order2(), GELUType1Order2.CudaSource),
        (GELUType1Order3.Spec, () => new GELUType1Order3(), GELUType1Order3.CudaSource),
        (GELUType1Order4.Spec, () => new GELUType1Order4(), GELUType1Order4.CudaSource),
        (GELUType2Order1.Spec, () => new GELUType2Order1(), GELUType2Order1.CudaSource),
        (GELUType2Order2.Spec, () => new GELUType2Order2(), GELUType2Order2.CudaSource),
        (GELUType2Order3.Spec, () => new GELUType2Order3(), GELUType2Order3.CudaSource),
        (GELUType2Order4.Spec, () => new GELUType2Order4(), GELUType2Order4.CudaSource),
        (GELUTanhType1Order1.Spec, () => new GELUTanhType1Order1(), GELUTanhType1Order1.CudaSource),
        (GELUTanhType1Order2.Spec, () => new GELUTanhType1Order2(), GELUTanhType1Order2.CudaSource),
        (GELUTanhType1Order3.Spec, () => new GELUTanhType1Order3(), GELUTanhType1Order3.CudaSource),
        (GELUTanhType1Order4.Spec, () => new GELUTanhType1Order4(), GELUTanhType1Order4.CudaSource),
        (GELUTanhType2Order1.Spec, () => new GELUTanhType2Order1(), GELUTanhType2Order1.CudaSource),
        (GELUTanhType2Order2.Spec, () => new GELUTanhType2Order2(), GELUTanhType2Order2.CudaSource),
        (GELUTanhType2Order3.Spec, () => new GELUTanhType2Order3(), GELUTanhType2Order3.CudaSource),
        (GELUTanhType2Order4.Spec, () => new GELUTanhType2Order4(), GELUTanhType2Order4.CudaSource),
        (SoftplusType1Order1.Spec, () => new SoftplusType1Order1(), SoftplusType1Order1.CudaSource),
        (SoftplusType1Order2.Spec, () => new SoftplusType1Order2(), SoftplusType1Order2.CudaSource),
        (SoftplusType1Order3.Spec, () => new SoftplusType1Order3(), SoftplusType1Order3.CudaSource),
        (SoftplusType1Order4.Spec, () => new SoftplusType1Order4(), SoftplusType1Order4.CudaSource),
        (SoftplusType2Order1.Spec, () => new SoftplusType2Order1(), SoftplusType2Order1.CudaSource),
        (SoftplusType2Order2.Spec, () => new SoftplusType2Order2(), SoftplusType2Order2.CudaSource),
        (SoftplusType2Order3.Spec, () => new SoftplusType2Order3(), SoftplusType2Order3.CudaSource),
        (SoftplusType2Order4.Spec, () => new SoftplusType2Order4(), SoftplusType2Order4.CudaSource),
    ];

    /// <summary>The index of the grid entry whose generated class is named <paramref name="className"/>.</summary>
    public static int IndexOf(string className)
    {
        for (int i = 0; i < All.Count; i++)
        {
            using var module = All[i].Create();
            if (module.GetName() == className)
            {
                return i;
            }
        }
        throw new ArgumentException($"No grid spec is declared as {className}.", nameof(className));
    }
}
