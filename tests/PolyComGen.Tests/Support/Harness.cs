using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Support;

/// <summary>
/// Forward and gradients of a module, or of the oracle with the same parameters: y, dx, the gradient of every parameter
/// in the kernels' slot order (a PolyCom's weights and bias, then the named parameters), and dgate for gated ones.
/// </summary>
public sealed record Outputs(Tensor Y, Tensor Dx, Tensor Dparameters, Tensor? Dgate = null);

public static class Harness
{
    /// <summary>A fresh module of a registry entry, as the TorchSharp module it is.</summary>
    public static nn.Module CreateModule(this PolyComActivation activation) => (nn.Module)activation.Create();

    /// <summary>A PolyCom module's weight and bias, by their state_dict keys.</summary>
    public static (Parameter Weight, Parameter Bias) Parameters(nn.Module module) => (Named(module, "weight"), Named(module, "bias"));

    /// <summary>A module's parameter of state_dict key <paramref name="name"/>.</summary>
    public static Parameter Named(nn.Module module, string name) =>
        module.named_parameters().First(p => p.name == name).parameter;

    /// <summary>The module's parameters in the kernels' slot order: weight and bias for a PolyCom, then the named ones.</summary>
    public static IReadOnlyList<Parameter> SlotParameters(nn.Module module) => SlotNames(Spec(module)).Select(n => Named(module, n)).ToList();

    /// <summary>The state_dict keys of a spec's parameters in slot order.</summary>
    public static IReadOnlyList<string> SlotNames(PolyComSpec spec) =>
        [.. spec.Activation ? [] : new[] { "weight", "bias" }, .. LearnedNames(spec)];

    /// <summary>The names a spec's Parameters declares, in order (read here from the text, independently of the generator).</summary>
    public static IReadOnlyList<string> LearnedNames(PolyComSpec spec) =>
        spec.Parameters.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.Split('=')[0].Trim()).ToList();

    /// <summary>Float64 copies of the module's slot parameters, requiring grad, for the oracle.</summary>
    public static IReadOnlyList<Tensor> ParameterCopies(nn.Module module) =>
        SlotParameters(module).Select(p => p.detach().to(float64).clone().requires_grad_()).ToList();

    /// <summary>
    /// Parameters shaped like the module's (in slot order) as the one vector the oracle takes: each group's slots in
    /// turn, a shared parameter's single value in every group. Written here, independently of the generated modules.
    /// </summary>
    public static Tensor VectorOf(PolyComSpec spec, IReadOnlyList<Tensor> parameters)
    {
        if (parameters.Count == 0)
        {
            return zeros([0], dtype: float64);
        }
        if (spec.Groups == 1)
        {
            return cat(parameters.Select(p => p.reshape(-1)).ToArray(), 0);
        }
        return cat(parameters.Select(p => p.numel() == 1 ? p.reshape(1, 1).expand(spec.Groups, 1) : p.reshape(spec.Groups, -1)).ToArray(), 1).reshape(-1);
    }

    /// <summary>Tensors (the parameters' gradients, say) flattened into one vector in slot order.</summary>
    public static Tensor Flat(IReadOnlyList<Tensor> tensors) =>
        tensors.Count == 0 ? zeros([0], dtype: float64) : cat(tensors.Select(t => t.reshape(-1)).ToArray(), 0);

    /// <summary>A test shape for <paramref name="spec"/>: <paramref name="dims"/>, with the last dimension times Groups.</summary>
    public static long[] Shape(PolyComSpec spec, params long[] dims) =>
        spec.Groups == 1 ? dims : [.. dims[..^1], dims[^1] * spec.Groups];

    public static PolyComSpec Spec(nn.Module module) => ((IPolyComModule)module).Spec;

    /// <summary>The module's forward: x alone, or x and the gate for gated modules.</summary>
    public static Tensor Forward(nn.Module module, Tensor x, Tensor? gate = null) => Spec(module).Gated
        ? ((nn.Module<Tensor, Tensor, Tensor>)module).forward(x, gate!)
        : ((nn.Module<Tensor, Tensor>)module).forward(x);

    /// <summary>
    /// Moves the module to <paramref name="dtype"/> and gives it random parameters: weights and bias ~ N(0, 0.5^2), a
    /// named parameter its initial value plus N(0, 0.25^2).
    /// </summary>
    public static void Randomise(nn.Module module, ScalarType dtype, torch.Generator generator)
    {
        module.to(dtype);
        PolyComSpec spec = Spec(module);
        using (no_grad())
        {
            foreach (string name in SlotNames(spec))
            {
                Parameter parameter = Named(module, name);
                bool learned = name is not ("weight" or "bias");
                Tensor noise = randn(parameter.shape, dtype: float64, generator: generator);
                parameter.copy_(learned ? parameter.to(float64) + noise * 0.25 : noise * 0.5);
            }
        }
    }

    public static Outputs Fused(nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        var parameters = SlotParameters(module);
        foreach (Parameter p in parameters)
        {
            p.grad = null;
        }
        Tensor input = x.detach().requires_grad_();
        Tensor? g = gate?.detach().requires_grad_();
        Tensor y = Forward(module, input, g);
        y.backward([upstream]);
        Tensor dparameters = parameters.Count == 0 ? zeros([0], dtype: x.dtype) : Flat(parameters.Select(p => (Tensor)p.grad!).ToList());
        return new Outputs(y.detach(), input.grad!, dparameters, g?.grad);
    }

    /// <summary>The oracle in float64, whatever the dtype of the module and the inputs.</summary>
    public static Outputs Reference(PolyComSpec spec, nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        var parameters = ParameterCopies(module);
        Tensor input = x.detach().to(float64).requires_grad_();
        Tensor? g = gate?.detach().to(float64).requires_grad_();
        Tensor y = Support.Reference.Forward(spec, input, g, VectorOf(spec, parameters));
        y.backward([upstream.to(float64)]);
        return new Outputs(y.detach(), input.grad!, Flat(parameters.Select(p => p.grad ?? zeros_like(p)).ToList()), g?.grad);
    }

    /// <summary>
    /// The magnitudes the parameters' gradients are sums of, per element of every parameter (in slot order): sum |ĝ *
    /// dy/dp| over the elements of x, with ĝ the incoming gradient (times the gate for gated specs) and dy/dp by
    /// central differences of the oracle in float64 (exact for the weights and the bias, in which y is linear).
    /// </summary>
    public static Tensor ParameterGradientScales(PolyComSpec spec, nn.Module module, Tensor x, Tensor upstream, Tensor? gate = null)
    {
        using var noGrad = no_grad();
        Tensor g = (gate is null ? upstream.to(float64) : upstream.to(float64) * gate.to(float64)).abs();
        Tensor u = x.to(float64);
        var parameters = SlotParameters(module).Select(p => p.detach().to(float64).clone()).ToList();
        var scales = new List<double>();
        foreach (Tensor parameter in parameters)
        {
            Tensor flat = parameter.view(-1);
            for (long e = 0; e < flat.numel(); e++)
            {
                const double h = 1e-6;
                double original = flat[e].item<double>();
                flat[e] = original + h;
                Tensor plus = Support.Reference.Forward(spec, u, null, VectorOf(spec, parameters));
                flat[e] = original - h;
                Tensor minus = Support.Reference.Forward(spec, u, null, VectorOf(spec, parameters));
                flat[e] = original;
                scales.Add((g * ((plus - minus) / (2 * h)).abs()).sum().item<double>());
            }
        }
        return tensor(scales.ToArray(), dtype: float64);
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
