using System;
using System.IO;
using System.Linq;
using PolyComGen.Backends.Cuda;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>
/// Each declared activation's CUDA kernels on the emulated device, in float32, bfloat16 and float16, against the
/// generated CPU kernels in float64 on the same storage-rounded inputs: the way to check CUDA kernels without a GPU.
/// </summary>
public static class CudaEmulationCheck
{
    private static readonly (ScalarType Dtype, double Tolerance)[] Dtypes =
        [(ScalarType.Float32, 1e-5), (ScalarType.BFloat16, 1e-2), (ScalarType.Float16, 1e-2)];

    public static int Run(TextWriter output, long[] shape)
    {
        if (!CudaEmulator.IsAvailable(out string reason))
        {
            output.WriteLine($"The emulated CUDA device is not available: {reason}.");
            return 2;
        }
        output.WriteLine($"CUDA kernels on the emulated device vs the CPU kernels in float64, [{string.Join(", ", shape)}]");
        output.WriteLine("Errors: y, dx and dgate, max |error| / max |expected|; dweight and dbias, |error| / sum of |summands|.");
        int width = Math.Max("module".Length, PolyComActivations.All.Max(a => a.Name.Length));
        output.WriteLine($"{"module".PadRight(width)} {"dtype",-9} {"y",9} {"dx",9} {"dweight",9} {"dbias",9} {"dgate",9} {"tolerance",9}  result");
        int failures = 0;
        foreach (PolyComActivation activation in PolyComActivations.All)
        {
            foreach (var (dtype, tolerance) in Dtypes)
            {
                double[] errors = Errors(activation.Create(), dtype, shape);
                bool passed = errors.All(e => e < tolerance);
                failures += passed ? 0 : 1;
                string dgate = errors.Length > 4 ? "" : $" {"-",9}";
                output.WriteLine($"{activation.Name.PadRight(width)} {dtype,-9} {string.Join(" ", errors.Select(e => $"{e,9:E1}"))}{dgate} {tolerance,9:E0}  {(passed ? "pass" : "FAIL")}");
            }
        }
        output.WriteLine(failures == 0 ? "Every CUDA kernel matches the CPU kernels." : $"{failures} check(s) failed.");
        return failures == 0 ? 0 : 1;
    }

    private static double[] Errors(IPolyComModule activation, ScalarType dtype, long[] shape)
    {
        using var scope = NewDisposeScope();
        var module = (nn.Module)activation;
        var generator = new torch.Generator(17);
        module.to(float64);
        using (no_grad())
        {
            activation.Weight.copy_((randn(activation.Weight.shape, dtype: float64, generator: generator) * 0.5).to(dtype));
            activation.Bias.copy_((randn(1, dtype: float64, generator: generator) * 0.5).to(dtype));
        }
        Tensor x = (randn(shape, dtype: float64, generator: generator) * 0.9).to(dtype);
        Tensor dy = randn(shape, dtype: float64, generator: generator).to(dtype);
        Tensor? gate = activation.Spec.Gated ? randn(shape, dtype: float64, generator: generator).to(dtype) : null;

        // The float64 CPU kernels through autograd, on the values the storage dtype holds.
        Tensor x64 = x.to(float64).requires_grad_();
        Tensor? gate64 = gate?.to(float64).requires_grad_();
        Tensor y64 = ActivationCalls.Forward(activation, x64, gate64);
        Tensor[] inputs = gate64 is null ? [x64, activation.Weight, activation.Bias] : [x64, activation.Weight, activation.Bias, gate64];
        Tensor[] expected = autograd.grad([y64], inputs, [dy.to(float64)]).ToArray();

        Tensor weight = activation.Weight.detach().to(dtype), bias = activation.Bias.detach().to(dtype);
        Tensor y = CudaEmulator.Forward(activation.Descriptor, x, gate, weight, bias);
        PolyComGradients gradients = CudaEmulator.Backward(activation.Descriptor, x, gate, dy, weight, bias);
        var (weightScale, biasScale) = SummandScales(activation, x.to(float64), gate64?.detach(), dy.to(float64));
        double[] errors =
        [
            Relative(y, y64), Relative(gradients.Dx, expected[0]),
            Summed(gradients.Dweight, expected[1], weightScale), Summed(gradients.Dbias, expected[2], biasScale),
        ];
        return gate is null ? errors : [.. errors, Relative(gradients.Dgate!, expected[3])];
    }

    private static double Relative(Tensor actual, Tensor expected) =>
        ((actual.to(float64) - expected.detach()).abs().max() / expected.detach().abs().max()).item<double>();

    private static double Summed(Tensor actual, Tensor expected, Tensor scale) =>
        ((actual.to(float64) - expected).abs() / scale.clamp_min(6.103515625e-05)).max().item<double>();

    // sum |g * dy/dw_k| and sum |g|, g the gradient reaching the polynomial (dy, times the gate when gated): y is
    // linear in the weights, so dy/dw_k is the ungated forward with w = e_k and b = 0.
    private static (Tensor Weight, Tensor Bias) SummandScales(IPolyComModule activation, Tensor x, Tensor? gate, Tensor dy)
    {
        using var noGrad = no_grad();
        Tensor savedWeight = activation.Weight.clone(), savedBias = activation.Bias.clone();
        Tensor g = gate is null ? dy.abs() : (dy * gate).abs();
        Tensor? ones = gate is null ? null : torch.ones_like(gate);
        var scales = new double[activation.Weight.shape[0]];
        activation.Bias.zero_();
        for (int k = 0; k < scales.Length; k++)
        {
            activation.Weight.zero_();
            activation.Weight[k] = 1.0;
            scales[k] = (g * ActivationCalls.Forward(activation, x, ones).abs()).sum().item<double>();
        }
        activation.Weight.copy_(savedWeight);
        activation.Bias.copy_(savedBias);
        return (tensor(scales, dtype: float64), g.sum().reshape(1));
    }
}
