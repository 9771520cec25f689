using PolyComGen.Contract;

namespace PolyComGen;

/// <summary>
/// What every generated activation module offers besides being a TorchSharp module: a <c>[PolyCom]</c> module (with
/// its weights and bias, also as <c>Weight</c> and <c>Bias</c>) and an <c>[Activation]</c> module alike.
/// </summary>
public interface IPolyComModule
{
    /// <summary>The spec the module computes.</summary>
    PolyComSpec Spec { get; }

    /// <summary>The kernel contract's description of the module's generated kernels, as the backends see them.</summary>
    KernelDescriptor Descriptor { get; }

    /// <summary>
    /// Every learnable parameter in one vector, as the kernels take it: in the order of
    /// <see cref="KernelDescriptor.ParameterNames"/> (a PolyCom's weights and bias first, then the parameters its
    /// declaration names), differentiable back to the module's parameters. Empty for an activation without parameters.
    /// </summary>
    TorchSharp.torch.Tensor KernelParameters();

    /// <summary>
    /// The activation with this module's parameters as plain eager TorchSharp ops, the paper's formula as written,
    /// which autograd differentiates: for reference and comparison. <paramref name="gate"/> is for gated modules only,
    /// <paramref name="offsets"/> for modules with experts (x [N, H] grouped by expert, as <c>forward</c> takes them).
    /// </summary>
    TorchSharp.torch.Tensor EagerForward(TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor? gate = null, TorchSharp.torch.Tensor? offsets = null);
}
