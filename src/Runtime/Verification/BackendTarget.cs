using System;
using PolyComGen.Backends;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Verification;

/// <summary>
/// A backend on TorchSharp tensors as a parity target: the inputs become tensors of the storage format's dtype, the
/// backend validates and runs them, and its outputs come back as float64 arrays. <see cref="Misaligned"/> makes every
/// input a view that starts one element into its storage, so that no pointer is 16-byte aligned.
/// </summary>
/// <param name="Backend">The backend under test: the CPU backend (float32) or the emulated CUDA backend.</param>
/// <param name="Misaligned">Inputs as views one element into a larger buffer.</param>
public sealed record BackendTarget(IKernelBackend Backend, bool Misaligned = false) : IParityTarget
{
    /// <inheritdoc/>
    public string Name => Backend.Name + (Misaligned ? " (misaligned)" : "");

    /// <inheritdoc/>
    public KernelOutputs Run(KernelDescriptor descriptor, StorageFormat format, ParityInputs inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ScalarType dtype = DtypeOf(format);
        Tensor Stored(double[] values, long[] shape)
        {
            Tensor stored = tensor(values, dtype: ScalarType.Float64).reshape(shape).to(dtype);
            if (!Misaligned)
            {
                return stored;
            }
            Tensor buffer = zeros([stored.numel() + 1], dtype: dtype);
            Tensor view = buffer.narrow(0, 1, stored.numel()).view(stored.shape);
            view.copy_(stored);
            return view;
        }
        Tensor x = Stored(inputs.X, inputs.Shape), dy = Stored(inputs.Dy, inputs.Shape);
        Tensor? gate = inputs.Gate is null ? null : Stored(inputs.Gate, inputs.Shape);
        Tensor parameters = Stored(inputs.Parameters, [inputs.Parameters.Length]);
        Backend.Validate(descriptor, x, gate, parameters);
        Tensor y = Backend.Forward(descriptor, x, gate, parameters);
        PolyComGradients g = Backend.Backward(descriptor, x, gate, dy, parameters);
        return new KernelOutputs(Values(y), Values(g.Dx), Values(g.Dparameters), g.Dgate is null ? null : Values(g.Dgate));
    }

    /// <summary>The TorchSharp dtype of a storage format.</summary>
    public static ScalarType DtypeOf(StorageFormat format) => Enum.Parse<ScalarType>(format.Contract.TorchName);

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
}
