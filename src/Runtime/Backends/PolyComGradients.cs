using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>The gradients of one backward: of the input, the weights, the bias, and the gate (null unless gated).</summary>
/// <param name="Dx">The gradient of the input, of its shape.</param>
/// <param name="Dweight">The gradient of the weights, shape [Order].</param>
/// <param name="Dbias">The gradient of the bias, shape [1].</param>
/// <param name="Dgate">The gradient of the gate, of the input's shape; null unless gated.</param>
public sealed record PolyComGradients(Tensor Dx, Tensor Dweight, Tensor Dbias, Tensor? Dgate = null);
