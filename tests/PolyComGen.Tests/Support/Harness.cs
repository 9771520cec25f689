using System.Linq;
using PolyComGen.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Support;

/// <summary>Forward and gradients of a generated module, and of the reference formula with the same parameters.</summary>
public sealed record Outputs(Tensor Y, Tensor Dx, Tensor Dweight, Tensor Dbias);

public static class Harness
{
    public static (Parameter Weight, Parameter Bias) Parameters(nn.Module<Tensor, Tensor> module)
    {
        var named = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return (named["weight"], named["bias"]);
    }

    /// <summary>Moves the module to <paramref name="dtype"/> and gives it random weights and bias.</summary>
    public static void Randomise(nn.Module<Tensor, Tensor> module, ScalarType dtype, torch.Generator generator)
    {
        module.to(dtype);
        var (weight, bias) = Parameters(module);
        using (no_grad())
        {
            weight.copy_(randn(weight.shape, dtype: float64, generator: generator) * 0.5);
            bias.copy_(randn(bias.shape, dtype: float64, generator: generator) * 0.5);
        }
    }

    public static Outputs Fused(nn.Module<Tensor, Tensor> module, Tensor x, Tensor upstream)
    {
        var (weight, bias) = Parameters(module);
        weight.grad = null;
        bias.grad = null;
        Tensor input = x.detach().requires_grad_();
        Tensor y = module.forward(input);
        y.backward([upstream]);
        return new Outputs(y.detach(), input.grad!, weight.grad!, bias.grad!);
    }

    /// <summary>The reference in float64, whatever the dtype of the module and the input.</summary>
    public static Outputs Reference(PolyComSpec spec, nn.Module<Tensor, Tensor> module, Tensor x, Tensor upstream)
    {
        var (weight, bias) = Parameters(module);
        Tensor w = weight.detach().to(float64).requires_grad_();
        Tensor b = bias.detach().to(float64).requires_grad_();
        Tensor input = x.detach().to(float64).requires_grad_();
        Tensor y = PolyComReference.Forward(spec, input, w, b);
        y.backward([upstream.to(float64)]);
        return new Outputs(y.detach(), input.grad!, w.grad!, b.grad!);
    }

    /// <summary>
    /// The magnitudes of the sums dweight and dbias are made of: sum |g * dy/dw_k| (dy/dw_k is the k-th basis
    /// function of the reference formula) and sum |g|, in float64.
    /// </summary>
    public static (Tensor Dweight, Tensor Dbias) ParameterGradientScales(PolyComSpec spec, nn.Module<Tensor, Tensor> module, Tensor x, Tensor upstream)
    {
        var (weight, _) = Parameters(module);
        using var noGrad = no_grad();
        Tensor g = upstream.to(float64).abs();
        Tensor u = x.to(float64);
        var scales = new double[weight.shape[0]];
        for (int k = 1; k <= scales.Length; k++)
        {
            Tensor basis = spec.Type == 1 ? PolyComReference.Inner(spec, u).pow(k) : PolyComReference.Inner(spec, u.pow(k));
            scales[k - 1] = (g * basis.abs()).sum().item<double>();
        }
        return (tensor(scales, dtype: float64), g.sum().reshape(1));
    }

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
