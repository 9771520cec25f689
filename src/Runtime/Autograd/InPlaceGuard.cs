using System.Collections.Generic;
using static TorchSharp.torch;

namespace PolyComGen.Autograd;

/// <summary>
/// Makes libtorch itself report an in-place change of a tensor saved for backward, outside any callback.
/// </summary>
/// <remarks>
/// A saved tensor modified in place between forward and backward makes <c>ctx.get_saved_variables()</c> fail
/// inside the backward callback, where any exception aborts the process. The probe returned here is an extra
/// input of the autograd function: the product of a one-element view of each saved tensor with a fresh leaf
/// that requires grad, so that libtorch saves the views (which share the tensors' version counters) in ordinary
/// MulBackward nodes. Autograd runs those nodes after the function's own backward, with undefined gradients
/// (the function returns none for the probe), and unpacking their saved views raises libtorch's own error,
/// "one of the variables needed for gradient computation has been modified by an inplace operation", as a
/// catchable exception from backward(). It costs two tiny products per forward.
/// </remarks>
internal static class InPlaceGuard
{
    /// <summary>The probe of <paramref name="saved"/>, or null when none has elements to view.</summary>
    public static Tensor? Probe(Tensor like, params Tensor[] saved)
    {
        // Every temporary lives in the scope: TorchSharp passes a tensor's handle to native code without keeping
        // the tensor alive, so an unreferenced temporary could be finalized during the call that uses it.
        using var scope = NewDisposeScope();
        Tensor anchor = ones(1, dtype: like.dtype, device: like.device);
        anchor.requires_grad_();
        var terms = new List<Tensor>();
        foreach (Tensor tensor in saved)
        {
            if (tensor.numel() > 0)
            {
                Tensor view = tensor.as_strided([1], [1], tensor.storage_offset());
                terms.Add(view.mul(anchor));
            }
        }
        return terms.Count == 0 ? null : cat(terms, 0).MoveToOuterDisposeScope();
    }
}
