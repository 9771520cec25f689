using System.Linq;
using System.Collections.Generic;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>
/// Second derivatives through the generated modules (create_graph): a gradient penalty and Hessian-vector products
/// against the same computations through the eager float64 oracle, for every spec of the grid.
/// </summary>
public sealed class SecondDerivativeTests
{
    public static IEnumerable<object[]> Grid() => SpecGrid.Indexed();

    private const double Tolerance = 1e-9;

    [Theory]
    [MemberData(nameof(Grid))]
    public void GradientPenaltyMatchesTheEagerFormula(string spec, int index)
    {
        using var scope = NewDisposeScope();
        var (module, x, upstream, gate) = Setup(index);
        var parameters = Harness.SlotParameters(module).Cast<Tensor>().ToList();

        // loss = <c, y> + 0.5 |d<c, y>/dx|^2, as in WGAN-GP or R1 regularisation; the gradients of x and every parameter.
        var fused = Penalty(input => Harness.Forward(module, input, gate), x, upstream, parameters);
        var copies = Harness.ParameterCopies(module);
        var expected = Penalty(input => Support.Reference.Forward(Harness.Spec(module), input, gate, Harness.VectorOf(Harness.Spec(module), copies)), x, upstream, copies);

        Compare.Close(fused.Dx, expected.Dx, Tolerance, $"{spec} penalty dx");
        Compare.Close(fused.Dparameters, expected.Dparameters, Tolerance, $"{spec} penalty dparameters");
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void HessianVectorProductsMatchTheEagerFormula(string spec, int index)
    {
        using var scope = NewDisposeScope();
        var (module, x, upstream, gate) = Setup(index);
        var parameters = Harness.SlotParameters(module).Cast<Tensor>().ToList();
        Tensor v = randn(x.shape, dtype: float64, generator: new torch.Generator((ulong)(500 + index)));

        var fused = HessianVector(input => Harness.Forward(module, input, gate), x, upstream, v, parameters);
        var copies = Harness.ParameterCopies(module);
        var expected = HessianVector(input => Support.Reference.Forward(Harness.Spec(module), input, gate, Harness.VectorOf(Harness.Spec(module), copies)), x, upstream, v, copies);

        Compare.Close(fused.Hx, expected.Hx, Tolerance, $"{spec} H_xx v");
        Compare.Close(fused.Hp, expected.Hp, Tolerance, $"{spec} H_px v");
    }

    // The gate of a gated spec is a constant here: its second derivatives are those of a product, linear in it.
    private static (nn.Module Module, Tensor X, Tensor Upstream, Tensor? Gate) Setup(int index)
    {
        var generator = new torch.Generator((ulong)(400 + index));
        var module = SpecGrid.All[index].CreateModule();
        Harness.Randomise(module, float64, generator);
        // Away from the kinks of ReLU and Abs, where the second derivative is a distribution.
        long[] shape = Harness.Shape(Harness.Spec(module), 3, 6);
        Tensor x = randn(shape, dtype: float64, generator: generator);
        x = x.sign() * (x.abs() * 0.8 + 0.1);
        Tensor upstream = randn(shape, dtype: float64, generator: generator);
        return (module, x, upstream, Harness.Gate(Harness.Spec(module), shape, generator));
    }

    // The gradients of the parameters come back as one vector, in the order of `parameters`.
    private static Outputs Penalty(System.Func<Tensor, Tensor> forward, Tensor x, Tensor upstream, IReadOnlyList<Tensor> parameters)
    {
        foreach (Tensor parameter in parameters)
        {
            parameter.grad = null;
        }
        Tensor input = x.detach().clone().requires_grad_();
        Tensor first = (forward(input) * upstream).sum();
        Tensor dx = autograd.grad([first], [input], retain_graph: true, create_graph: true)[0];
        Assert.True(dx.requires_grad, "dx under create_graph must carry a graph");
        (first + 0.5 * dx.pow(2).sum()).backward();
        return new Outputs(first.detach(), input.grad!, Gradients(parameters));
    }

    // H v for the Hessian of <c, y> in x, and the mixed block (d/dw of <dx, v>). By backward(), which leaves the
    // gradient of an input the product does not depend on (Identity of order 1) at null, where autograd.grad would
    // raise an error that TorchSharp cannot catch.
    private static (Tensor Hx, Tensor Hp) HessianVector(System.Func<Tensor, Tensor> forward, Tensor x, Tensor upstream, Tensor v, IReadOnlyList<Tensor> parameters)
    {
        foreach (Tensor parameter in parameters)
        {
            parameter.grad = null;
        }
        Tensor input = x.detach().clone().requires_grad_();
        Tensor dx = autograd.grad([(forward(input) * upstream).sum()], [input], retain_graph: true, create_graph: true)[0];
        input.grad = null;
        (dx * v).sum().backward();
        return (input.grad ?? zeros_like(input), Gradients(parameters));
    }

    // The parameters' gradients (0 where one has none) as one vector.
    private static Tensor Gradients(IReadOnlyList<Tensor> parameters) => parameters.Count == 0
        ? zeros([0], dtype: float64)
        : cat(parameters.Select(p => (p.grad ?? zeros_like(p)).reshape(-1)).ToArray(), 0);
}
