using System;
using System.Collections.Generic;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>
/// Gradients of the generated modules against central finite differences of their own forward, so that a
/// mistake shared by the kernels and the reference would still show.
/// </summary>
public sealed class FiniteDifferenceTests
{
    public static IEnumerable<object[]> Grid() => SpecGrid.Indexed();

    [Theory]
    [MemberData(nameof(Grid))]
    public void GradientsMatchCentralDifferences(string spec, int index)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator((ulong)(300 + index));
        var module = SpecGrid.All[index].CreateModule();
        Harness.Randomise(module, float64, generator);
        // Away from the kinks of ReLU and Abs, where a difference quotient straddles two slopes.
        long[] shape = Harness.Shape(Harness.Spec(module), 2, 5);
        Tensor x = randn(shape, dtype: float64, generator: generator);
        x = x.sign() * (x.abs() * 0.8 + 0.1);
        Tensor upstream = randn(shape, dtype: float64, generator: generator);
        Tensor? gate = Harness.Gate(Harness.Spec(module), shape, generator);
        Outputs analytic = Harness.Fused(module, x, upstream, gate);

        double Loss() { using (no_grad()) return (Harness.Forward(module, x, gate) * upstream).sum().item<double>(); }

        Check(x, Loss, analytic.Dx, $"{spec} dx");
        // Every parameter, in slot order (a PolyCom's weights and bias, then the named ones).
        long offset = 0;
        foreach (string name in Harness.SlotNames(Harness.Spec(module)))
        {
            var parameter = Harness.Named(module, name);
            Check(parameter, Loss, analytic.Dparameters.narrow(0, offset, parameter.numel()), $"{spec} d{name}");
            offset += parameter.numel();
        }
        if (gate is not null)
        {
            Check(gate, Loss, analytic.Dgate!, $"{spec} dgate");
        }
    }

    // Perturbs each element of `variable` in place and compares (L(v + h) - L(v - h)) / 2h with `gradient`.
    private static void Check(Tensor variable, Func<double> loss, Tensor gradient, string what)
    {
        const double step = 1e-6;
        var numeric = new double[variable.numel()];
        Tensor flat = variable.detach().view(-1);
        for (int i = 0; i < numeric.Length; i++)
        {
            double original = flat[i].item<double>();
            using (no_grad()) flat[i] = original + step;
            double plus = loss();
            using (no_grad()) flat[i] = original - step;
            double minus = loss();
            using (no_grad()) flat[i] = original;
            numeric[i] = (plus - minus) / (2 * step);
        }
        Compare.Close(gradient.reshape(-1), tensor(numeric, dtype: float64), 1e-6, what);
    }
}
