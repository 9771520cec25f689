using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Support;

/// <summary>Forward and gradients of a module (the gate's gradient for gated ones), or of the oracle with the same parameters.</summary>
public sealed record Outputs(Tensor Y, Tensor Dx, Tensor Dweight, Tensor Dbias, Tensor? Dgate = null);

public static class Harness
{
    /// <summary>A fresh module of a registry entry, as the TorchSharp module it is.</summary>
    public static nn.Module CreateModule(this PolyComActivation activation) => (nn.Module)activation.Create();

    public static (Parameter Weight, Parameter Bias) Parameters(nn.Module module)
    {
        var activation = (IPolyComModule)module;
        return (activation.Weight, activation.Bias);
    }

    public static PolyComSpec Spec(nn.Module module) => ((IPolyComModule)module).Spec;

    /// <summary>The module's forward: x alone, or x and the gate for gated modules.</summary>
    public static Tensor Forward(nn.Module module, Tensor x, Tensor? gate = null) => Spec(module).Gated
        ? ((nn.Module<Tensor, Tensor, Tensor>)module).forward(x, gate!)
        : ((nn.Module<Tensor, Tensor>)module).forward(x);

    /// <summary>Moves the module to <paramref name="dtype"/> and gives it random weights and bias.</summary>
    public static void Randomise(nn.Module module, ScalarType dtype, torch.Generator generator)
    {
        module.to(dtype);
        var (weight, bias) = Parameters(module);
        using (no_grad())
        {
            weight.copy_(randn(weight.shape, dtype: float64, generator: generator) * 0.5);
            bias.copy_(randn(bias.shape, dtype: float64, generator: generator) * 0.5);
        }
    }

    public static Outputs Fused(nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        var (weight, bias) = Parameters(module);
        weight.grad = null;
        bias.grad = null;
        Tensor input = x.detach().requires_grad_();
        Tensor? g = gate?.detach().requires_grad_();
        Tensor y = Forward(module, input, g);
        y.backward([upstream]);
        return new Outputs(y.detach(), input.grad!, weight.grad!, bias.grad!, g?.grad);
    }

    /// <summary>The oracle in float64, whatever the dtype of the module and the inputs.</summary>
    public static Outputs Reference(PolyComSpec spec, nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        var (weight, bias) = Parameters(module);
        Tensor w = weight.detach().to(float64).requires_grad_();
        Tensor b = bias.detach().to(float64).requires_grad_();
        Tensor input = x.detach().to(float64).requires_grad_();
        Tensor? g = gate?.detach().to(float64).requires_grad_();
        Tensor y = Support.Reference.Forward(spec, input, g, w, b);
        y.backward([upstream.to(float64)]);
        return new Outputs(y.detach(), input.grad!, w.grad!, b.grad!, g?.grad);
    }

    /// <summary>
    /// The magnitudes of the sums dweight and dbias are made of: sum |ĝ * dy/dw_k| and sum |ĝ|, with ĝ the
    /// incoming gradient (times the gate for gated specs) and dy/dw_k the k-th basis function of the oracle.
    /// </summary>
    public static (Tensor Dweight, Tensor Dbias) ParameterGradientScales(PolyComSpec spec, nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        var (weight, _) = Parameters(module);
        using var noGrad = no_grad();
        Tensor g = (gate is null ? upstream.to(float64) : upstream.to(float64) * gate.to(float64)).abs();
        Tensor u = x.to(float64);
        var scales = new double[weight.shape[0]];
        for (int k = 1; k <= scales.Length; k++)
        {
            Tensor basis = spec.Type == 1 ? Support.Reference.Inner(spec, u).pow(k) : Support.Reference.Inner(spec, u.pow(k));
            scales[k - 1] = (g * basis.abs()).sum().item<double>();
        }
        return (tensor(scales, dtype: float64), g.sum().reshape(1));
    }

    /// <summary>A random gate of <paramref name="shape"/> in float64 for a gated spec; null otherwise.</summary>
    public static Tensor? Gate(PolyComSpec spec, long[] shape, torch.Generator generator) =>
        spec.Gated ? randn(shape, dtype: float64, generator: generator) : null;

    /// <summary>
    /// Inputs where the inner function is smooth and its powers stay moderate, with exact zeros mixed in
    /// for ReLU and Abs (their kinks) when <paramref name="withKinks"/>.
    /// </summary>
    public static Tensor Input(PolyComSpec spec, long[] shape, torch.Generator generator, bool withKinks = true)
    {
        Tensor x = randn(shape, dtype: float64, generator: generator) * 0.9;
        if (withKinks && spec.Inner is "ReLU" or "Abs" && x.numel() > 1)
        {
            Tensor zeros = rand(shape, dtype: float64, generator: generator) < 0.1;
            x = x.masked_fill(zeros, 0.0);
        }
        return x;
    }
}
