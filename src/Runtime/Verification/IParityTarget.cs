using PolyComGen.Contract;

namespace PolyComGen.Verification;

/// <summary>
/// Kernels under test: a backend that runs a spec's forward and backward on the inputs of a parity check, in one
/// storage format (the CPU kernels in float32, the CUDA kernels on the emulated device or on a GPU).
/// </summary>
public interface IParityTarget
{
    /// <summary>What is tested, for reports: "CPU", "emulated CUDA", "CUDA" ...</summary>
    string Name { get; }

    /// <summary>The forward and every gradient of <paramref name="descriptor"/> for <paramref name="inputs"/>, stored in <paramref name="format"/>.</summary>
    KernelOutputs Run(KernelDescriptor descriptor, StorageFormat format, ParityInputs inputs);
}
