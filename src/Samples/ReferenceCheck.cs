using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>Each declared activation's fused kernels, forward and backward, against its formula as eager ops in float64.</summary>
public static class ReferenceCheck
{
    public static int Run(TextWriter output)
    {
        manual_seed(0);
        output.WriteLine("Generated fused modules vs their formula as eager ops with autograd (float64, [64, 1024])");
        output.WriteLine($"{"module",-10} {"spec",-48} {"max |dy|",10} {"max |dx|",10} {"max |dw|",10} {"fused ms",9} {"eager ms",9}");
        int failures = PolyComActivations.All.Where(a => !a.Spec.Gated).Sum(a => Check(output, a.Create()));
        output.WriteLine(failures == 0 ? "All modules match the reference." : $"{failures} module(s) differ from the reference.");
        return failures == 0 ? 0 : 1;
    }

    private static int Check(TextWriter output, IPolyComModule activation)
    {
        using var scope = NewDisposeScope();
        var module = (nn.Module<Tensor, Tensor>)activation;
        module.to(float64);
        Tensor weight = activation.Weight, bias = activation.Bias;
        PolyComSpec spec = activation.Spec;
        Tensor x = randn(64, 1024, dtype: float64).requires_grad_();
        Tensor upstream = randn(64, 1024, dtype: float64);

        var clock = Stopwatch.StartNew();
        Tensor y = module.forward(x);
        y.backward([upstream]);
        double fusedMs = clock.Elapsed.TotalMilliseconds;
        var (dx, dw) = (x.grad!.clone(), weight.grad!.clone());
        x.grad!.zero_();
        weight.grad!.zero_();
        bias.grad!.zero_();

        clock.Restart();
        Tensor reference = activation.EagerForward(x);
        reference.backward([upstream]);
        double eagerMs = clock.Elapsed.TotalMilliseconds;

        double errY = (y - reference).abs().max().item<double>();
        double errX = (dx - x.grad!).abs().max().item<double>();
        double errW = (dw - weight.grad!).abs().max().item<double>();
        output.WriteLine($"{module.GetName(),-10} {spec,-48} {errY,10:E1} {errX,10:E1} {errW,10:E1} {fusedMs,9:F1} {eagerMs,9:F1}");
        return Math.Max(errY, Math.Max(errX, errW)) < 1e-8 ? 0 : 1;
    }
}
