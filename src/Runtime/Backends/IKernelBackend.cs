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

    /// <summary>Throws, naming the problem, when these tensors cannot run here: their device, dtype or shape, the gate, the parameter vector.</summary>
    /// <exception cref="System.ArgumentException">A tensor does not fit the kernels or this backend.</exception>
    void Validate(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters);

    /// <summary>The activation of <paramref name="x"/> (times the gate when gated), for tensors <see cref="Validate"/> accepted.</summary>
    Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters);

    /// <summary>Every gradient for the upstream gradient <paramref name="dy"/> (of x's shape and dtype), for tensors <see cref="Validate"/> accepted.</summary>
    PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters);
}
