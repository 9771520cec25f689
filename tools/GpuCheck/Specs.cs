namespace PolyComGen.GpuCheck;

/// <summary>PolyNorm, as in the paper.</summary>
[PolyCom(Order = 3, Inner = "Norm", Type = 2)] public partial class PolyNorm { }

/// <summary>PolyReLU, as in the paper.</summary>
[PolyCom(Order = 3, Inner = "ReLU", Type = 1)] public partial class PolyReLU { }

/// <summary>A smooth Type 1 variant.</summary>
[PolyCom(Order = 3, Inner = "GELU", Type = 1)] public partial class PolyGELU { }

/// <summary>Type 1 with Norm: one statistic per row, three passes in backward.</summary>
[PolyCom(Order = 4, Inner = "Norm", Type = 1)] public partial class NormType1Order4 { }
