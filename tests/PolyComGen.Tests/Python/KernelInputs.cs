using System.Collections.Generic;
using System.Linq;
using PolyComGen.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>The inputs of an activation's kernels for the Python scripts that launch them, pickled as a state_dict.</summary>
internal sealed record KernelInputs(Tensor X, Tensor? Gate, Tensor Dy, Tensor Parameters)
{
    /// <summary>For kernels with experts: the offsets of the rows of each expert (int64, E + 1), also pickled as offsets.</summary>
    public Tensor? Offsets { get; init; }

    /// <summary>
    /// x (the activation's test input), dy and parameters (and the gate), float32, of <paramref name="shape"/>, drawn
    /// with <paramref name="seed"/>, and written to <paramref name="file"/> under the keys x, dy, parameters and gate;
    /// with <paramref name="expertRows"/> (each expert's rows, summing to the rows of x [N, H]), every expert's
    /// parameters and the offsets.
    /// </summary>
    public static KernelInputs Pickle(PolyComActivation activation, long[] shape, long seed, string file, long[]? expertRows = null)
    {
        var generator = new torch.Generator((ulong)seed);
        Tensor x = Harness.Input(activation.Spec, shape, generator).to(float32), dy = randn(shape, generator: generator);
        Tensor? gate = Harness.Gate(activation.Spec, shape, generator)?.to(float32);
        Tensor parameters = randn([activation.Descriptor.ExpertParameterCount], generator: generator) * 0.5;
        var inputs = new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = dy, ["parameters"] = parameters };
        Tensor? offsets = expertRows is null ? null : tensor(expertRows.Prepend(0L).Select((_, i) => expertRows.Take(i).Sum()).ToArray());
        if (offsets is not null)
        {
            inputs["offsets"] = offsets;
        }
        if (gate is not null)
        {
            inputs["gate"] = gate;
        }
        PyTorchPickler.PickleStateDict(file, inputs);
        return new KernelInputs(x, gate, dy, parameters) { Offsets = offsets };
    }
}
