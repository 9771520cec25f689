using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>The gradients of one backward: of the input, the parameter vector, and the gate (null unless gated).</summary>
/// <param name="Dx">The gradient of the input, of its shape.</param>
/// <param name="Dparameters">The gradient of the parameter vector, shape [<see cref="Contract.KernelDescriptor.ParameterCount"/>].</param>
/// <param name="Dgate">The gradient of the gate, of the input's shape; null unless gated.</param>
public sealed record PolyComGradients(Tensor Dx, Tensor Dparameters, Tensor? Dgate = null);
