using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace PolyComGen.Autograd;

/// <summary>
/// Keeps the C# wrappers of tensors whose native handles TorchSharp's custom-function machinery hands to
/// libtorch after their last managed use, until libtorch is done with them, then disposes them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>Function.apply</c> passes the forward's outputs to THSAutograd_Function_wrapOutputs as
/// raw handles and keeps no reference to the C# tensors, and the backward's returned gradients are read by
/// libtorch after the managed callback has returned. Without a reference, a garbage collection on another thread
/// can finalize a wrapper, freeing its native tensor, inside that window: a segmentation fault in
/// THSAutograd_Function_wrapOutputs, or "Unsupported TypeMeta in ATen: nullptr" (docs/torchsharp-custom-function-gc.md).
/// Disposing the wrappers as soon as libtorch has its own reference also leaves nothing for the finalizer.
/// </remarks>
internal static class NativeHandoff
{
    [ThreadStatic]
    private static List<Tensor>? forwardOutputs;

    [ThreadStatic]
    private static List<Tensor>? returnedGradients;

    /// <summary>Holds a forward output until <see cref="ReleaseForwardOutputs"/>, which runs once apply has returned.</summary>
    public static Tensor HoldForwardOutput(Tensor output)
    {
        (forwardOutputs ??= []).Add(output.DetachFromDisposeScope());
        return output;
    }

    /// <summary>Disposes the forward outputs held on this thread: libtorch has wrapped them into new tensors.</summary>
    public static void ReleaseForwardOutputs() => DisposeAll(forwardOutputs);

    /// <summary>
    /// Holds the gradients a backward returns. They are disposed when the next backward on this thread starts:
    /// by then libtorch has copied their handles, which it does as soon as the callback returns.
    /// </summary>
    public static void HoldReturnedGradients(IEnumerable<Tensor?> gradients)
    {
        returnedGradients ??= [];
        foreach (Tensor? gradient in gradients)
        {
            if (gradient is not null)
            {
                returnedGradients.Add(gradient.DetachFromDisposeScope());
            }
        }
    }

    /// <summary>Disposes the gradients the previous backward on this thread returned.</summary>
    public static void ReleaseReturnedGradients() => DisposeAll(returnedGradients);

    private static void DisposeAll(List<Tensor>? tensors)
    {
        if (tensors is null)
        {
            return;
        }
        foreach (Tensor tensor in tensors)
        {
            tensor.Dispose();
        }
        tensors.Clear();
    }
}
