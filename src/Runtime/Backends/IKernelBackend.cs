using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>
/// Runs a spec's kernels on whole tensors of one kind: the CPU kernels on CPU tensors (<see cref="Cpu.CpuBackend"/>),
/// the CUDA kernels on a GPU (<see cref="Cuda.CudaBackend"/>) or on the emulated CUDA device
/// (<see cref="Cuda.Emulation.EmulatedCudaBackend"/>). The autograd function dispatches through this interface
/// (<see cref="KernelBackends.For"/> picks the backend of a tensor), and so does the parity checker.
/// </summary>
public interface IKernelBackend
{
    /// <summary>The backend's name, for messages and reports.</summary>
    string Name { get; }

    /// <summary>
    /// Throws, naming the problem, when these tensors cannot run here: their device, dtype or shape, the gate, the
    /// parameter vector (every expert's, for a descriptor with experts).
    /// </summary>
    /// <remarks>
    /// <c>experts</c> is the rows grouped by expert (<see cref="ExpertRows.Of"/>, already checked), null without experts;
    /// the same in <see cref="Forward"/> and <see cref="Backward"/>.
    /// </remarks>
    /// <exception cref="System.ArgumentException">A tensor does not fit the kernels or this backend.</exception>
    void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null);

    /// <summary>
    /// The activation of <paramref name="x"/> (times the gate when gated), for tensors <see cref="Validate"/> accepted;
    /// with <paramref name="experts"/>, each expert's rows with its own parameter vector.
    /// </summary>
    Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts = null);

    /// <summary>
    /// Every gradient for the upstream gradient <paramref name="dy"/> (of x's shape and dtype), for tensors
    /// <see cref="Validate"/> accepted; with <paramref name="experts"/>, the parameter gradient has every expert's vector.
    /// </summary>
    PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, ExpertRows? experts = null);
}
