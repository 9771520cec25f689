using System.Collections.Generic;
using System;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>Each declared activation's fused kernels, forward and backward, against its formula as eager ops in float64.</summary>
public static class ReferenceCheck
{
    public static int Run(TextWriter output, IReadOnlyList<PolyComActivation> activations)
    {
        manual_seed(0);
        output.WriteLine("Generated fused modules vs their formula as eager ops with autograd (float64, [64, 1024]); `polycom bench` times them.");
        var rows = activations.Select(a => (a.Name, Spec: a.Spec.ToString(), Errors: Check(a.Create()))).ToList();
        int name = Math.Max("module".Length, rows.Max(r => r.Name.Length)), spec = rows.Max(r => r.Spec.Length);
        output.WriteLine($"{"module".PadRight(name)}  {"spec".PadRight(spec)}  {"max |dy|",9}  {"max |dx|",9}  {"max |dw|",9}");
        foreach (var (module, text, errors) in rows)
        {
            output.WriteLine($"{module.PadRight(name)}  {text.PadRight(spec)}  {errors[0],9:E1}  {errors[1],9:E1}  {errors[2],9:E1}");
        }
        int failures = rows.Count(r => r.Errors.Max() >= 1e-8);
        output.WriteLine(failures == 0 ? "All modules match the reference." : $"{failures} module(s) differ from the reference.");
        return failures == 0 ? 0 : 1;
    }

    // The largest differences of y, dx and the parameters' gradients between the fused module and its eager formula (gated modules
    // get a random gate, the same for both).
    private static double[] Check(IPolyComModule activation)
    {
        using var scope = NewDisposeScope();
        ((nn.Module)activation).to(float64);
        Tensor[] parameters = ((nn.Module)activation).parameters().ToArray<Tensor>();
        Tensor x = randn(64, 1024, dtype: float64).requires_grad_();
        Tensor upstream = randn(64, 1024, dtype: float64);
        Tensor? gate = activation.Spec.Gated ? randn(64, 1024, dtype: float64) : null;

        Tensor y = ActivationCalls.Forward(activation, x, gate);
        y.backward([upstream]);
        Tensor dx = x.grad!.clone();
        Tensor[] dp = parameters.Select(p => p.grad!.clone()).ToArray();
        x.grad!.zero_();
        foreach (Tensor p in parameters)
        {
            p.grad!.zero_();
        }

        Tensor reference = activation.EagerForward(x, gate);
        reference.backward([upstream]);
        return [(y - reference).abs().max().item<double>(), (dx - x.grad!).abs().max().item<double>(), parameters.Select((p, i) => (dp[i] - p.grad!).abs().max().item<double>()).DefaultIfEmpty(0).Max()];
    }
}
