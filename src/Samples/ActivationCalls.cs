using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>Calls a generated module whichever its kind: forward(x), or forward(x, gate) for a gated one.</summary>
internal static class ActivationCalls
{
    public static Tensor Forward(IPolyComModule activation, Tensor x, Tensor? gate) => gate is null
        ? ((nn.Module<Tensor, Tensor>)activation).forward(x)
        : ((nn.Module<Tensor, Tensor, Tensor>)activation).forward(x, gate);
}
