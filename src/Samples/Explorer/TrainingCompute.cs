using System;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// The arithmetic an activation does per element of the FFN's hidden layer in a training step: its forward and its
/// backward, each counted as the generator counts its kernels' plans (<see cref="PolyComGen.Contract.KernelDescriptor.ForwardOperations"/>:
/// every operation of the expression language as one).
/// </summary>
public readonly record struct ActivationOperations(int Forward, int Backward)
{
    /// <summary>Forward and backward: the operations per element of a training step.</summary>
    public int Training => Forward + Backward;
}

/// <summary>
/// A training step's compute per token, for the effective speedup in FLOPs and the plots against compute: the usual
/// estimate for the model's matrices and attention (Kaplan et al. 2020: forward 2 FLOPs per matrix parameter a token
/// uses, plus 2 x layers x context x width for the attention scores and their weighted sum; training three times the
/// forward), plus the activation's own arithmetic, which the estimate leaves out and which differs between variants:
/// its operations per element (<see cref="ActivationOperations.Training"/>) times the hidden elements a token passes
/// through (hidden width x layers x experts per token).
/// </summary>
public static class TrainingCompute
{
    /// <summary>The FLOPs of one token's training step for <paramref name="variant"/> in a model of <paramref name="shape"/>.</summary>
    public static double PerToken(ModelShape shape, ActivationVariant variant, int vocabulary)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(variant);
        double hidden = shape.HiddenWidth(variant.Gated, variant.Groups);
        double attention = 4.0 * shape.Width * shape.Width; // qkv and the output projection
        double feedForward = (variant.Gated ? 3.0 : 2.0) * shape.Width * hidden * shape.TopK + (shape.Experts > 1 ? (double)shape.Width * shape.Experts : 0); // the experts a token uses, the router
        double matrices = shape.Layers * (attention + feedForward) + (double)shape.Width * vocabulary; // and the output head (the embedding is a lookup)
        double scores = 2.0 * shape.Layers * shape.SequenceLength * shape.Width;
        return 3 * (2 * matrices + scores) + (double)variant.Operations.Training * hidden * shape.Layers * shape.TopK;
    }

    /// <summary>The activation's share of <see cref="PerToken"/>.</summary>
    public static double ActivationShare(ModelShape shape, ActivationVariant variant, int vocabulary) =>
        (double)variant.Operations.Training * shape.HiddenWidth(variant.Gated, variant.Groups) * shape.Layers * shape.TopK / PerToken(shape, variant, vocabulary);
}
