using PolyComGen.Contract;
using TorchSharp.Modules;

namespace PolyComGen;

/// <summary>What every generated PolyCom module offers besides being a TorchSharp module.</summary>
public interface IPolyComModule
{
    /// <summary>The weights w[0..Order-1], shape [Order] (state_dict key <c>weight</c>).</summary>
    Parameter Weight { get; }

    /// <summary>The bias b, shape [1] (state_dict key <c>bias</c>).</summary>
    Parameter Bias { get; }

    /// <summary>The spec the module computes.</summary>
    PolyComSpec Spec { get; }

    /// <summary>The kernel contract's description of the module's generated kernels, as the backends see them.</summary>
    KernelDescriptor Descriptor { get; }

    /// <summary>
    /// The activation with this module's parameters as plain eager TorchSharp ops, the paper's formula as written,
    /// which autograd differentiates: for reference and comparison. <paramref name="gate"/> is for gated modules only.
    /// </summary>
    TorchSharp.torch.Tensor EagerForward(TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor? gate = null);
}
