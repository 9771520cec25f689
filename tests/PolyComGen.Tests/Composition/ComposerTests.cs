using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Composition;

/// <summary>
/// The composition on its own, before any emitter: the forward and backward plans of every built-in inner function,
/// both types, several orders, gated or not, with and without norm's row scaling, run by the tests' interpreter in
/// double precision against the oracle (the paper's formulas as eager float64 ops, with autograd).
/// </summary>
public sealed class ComposerTests
{
    public static IEnumerable<object[]> Specs() =>
        from name in BuiltInFunctions.Names
        from type in new[] { 1, 2 }
        from order in new[] { 1, 3, 8 }
        from gated in new[] { false, true }
        select new object[] { name, type, order, gated };

    [Theory]
    [MemberData(nameof(Specs))]
    public void PlansComputeTheFormulaAndItsGradients(string inner, int type, int order, bool gated)
    {
        using var scope = NewDisposeScope();
        var spec = new SpecModel(type, order, KernelContract.DefaultEps, gated, BuiltInFunctions.Get(inner));
        foreach (bool rowScaling in new[] { false, true })
        {
            var generator = new torch.Generator((ulong)(type * 100 + order * 10 + (gated ? 1 : 0)));
            // Two rows, the second larger: 300 times, or, for norm's row scaling, 1e160, so that even float64
            // statistics overflow and the statistics pass must run again, scaled.
            double large = rowScaling && spec.Inner.Normalized ? 1e160 : 300;
            Tensor x = randn([2, 9], dtype: float64, generator: generator) * tensor(new[] { 0.8, large }, dtype: float64).reshape(2, 1);
            if (spec.Inner.Normalized is false && inner is not ("Identity" or "ReLU" or "Abs"))
            {
                x = x.clamp(-1.5, 1.5);
            }
            Tensor g = randn([2, 9], dtype: float64, generator: generator);
            Tensor? gate = gated ? randn([2, 9], dtype: float64, generator: generator) : null;
            Tensor w = randn([order], dtype: float64, generator: generator) * 0.5, b = randn([1], dtype: float64, generator: generator);
            var expected = Oracle(new PolyComSpec(type, inner, order, KernelContract.DefaultEps, gated), x, g, gate, w, b);
            KernelPlan forward = Composer.Forward(spec, rowScaling), backward = Composer.Backward(spec, rowScaling);
            Assert.Equal(spec.Inner.Normalized, forward.Rowwise);
            var y = new double[2][];
            var dx = new double[2][];
            var dgate = new double[2][];
            var partials = new double[order + 1];
            for (int row = 0; row < 2; row++)
            {
                double[] xs = Row(x, row), gs = Row(g, row);
                double[]? gates = gate is null ? null : Row(gate, row);
                double[] weights = w.data<double>().ToArray();
                y[row] = PlanInterpreter.Run(forward, xs, null, gates, weights, b.item<double>()).Stores[ElementOutput.Y];
                var result = PlanInterpreter.Run(backward, xs, gs, gates, weights, b.item<double>());
                dx[row] = result.Stores[ElementOutput.Dx];
                if (gated)
                {
                    dgate[row] = result.Stores[ElementOutput.Dgate];
                }
                Assert.Equal(order + 1, result.Partials.Length);
                for (int k = 0; k <= order; k++)
                {
                    partials[k] += result.Partials[k];
                }
            }
            string what = $"{inner} type {type} order {order}{(gated ? " gated" : "")}{(rowScaling ? " scaled" : "")}";
            Compare.Close(tensor(y.SelectMany(r => r).ToArray(), dtype: float64).reshape(2, 9), expected.Y, 1e-10, $"{what} y");
            Compare.Close(tensor(dx.SelectMany(r => r).ToArray(), dtype: float64).reshape(2, 9), expected.Dx, 1e-9, $"{what} dx");
            Compare.Close(tensor(partials, dtype: float64), expected.Dparameters, 1e-9, $"{what} dparameters");
            if (gated)
            {
                Compare.Close(tensor(dgate.SelectMany(r => r).ToArray(), dtype: float64).reshape(2, 9), expected.Dgate!, 1e-10, $"{what} dgate");
            }
        }
    }

    [Fact]
    public void OnlyNormScalesRowsAndOnlyWhenAskedWithoutAPassOfItsOwn()
    {
        var norm = new SpecModel(2, 3, KernelContract.DefaultEps, false, BuiltInFunctions.Get("Norm"));
        KernelPlan scaled = Composer.Forward(norm, rowScaling: true), unscaled = Composer.Forward(norm, rowScaling: false);
        Assert.Equal(2, scaled.Passes.Count); // statistics (with the row maximum), output
        Assert.Equal("sigma", scaled.Passes[0].Rescales.Single().Name);
        Assert.Contains(scaled.Passes[0].Reductions, r => r.Kind == ReductionKind.Max);
        Assert.Equal(2, unscaled.Passes.Count);
        Assert.All(unscaled.Passes, p => Assert.Empty(p.Rescales));
        // Bounded inner functions cannot overflow; unbounded ones that are not homogeneous scale each statistic.
        Assert.Empty(Composer.Forward(new SpecModel(2, 3, KernelContract.DefaultEps, false, new InnerFunction(Expr.Call(Operations.Tanh, Expr.Var("u")), true, "tanh")), true).Passes[0].Rescales);
        Assert.Equal(3, Composer.Forward(new SpecModel(2, 3, KernelContract.DefaultEps, false, new InnerFunction(Expr.Call(Operations.Exp, Expr.Var("u")), true, "exp")), true).Passes[0].Rescales.Count);
        var relu = new SpecModel(1, 3, KernelContract.DefaultEps, false, BuiltInFunctions.Get("ReLU"));
        Assert.Single(Composer.Forward(relu, rowScaling: true).Passes);
    }

    [Fact]
    public void TheScaledVariableNeverLeavesAPlan()
    {
        foreach (string inner in new[] { "Norm" })
        {
            foreach (int type in new[] { 1, 2 })
            {
                var spec = new SpecModel(type, 8, KernelContract.DefaultEps, true, BuiltInFunctions.Get(inner));
                foreach (KernelPlan plan in new[] { Composer.Forward(spec, true), Composer.Backward(spec, true) })
                {
                    var variables = plan.Passes.SelectMany(p => p.ElementExpressions.Concat(p.Before.Select(d => d.Value)).Concat(p.After.Select(d => d.Value)))
                        .SelectMany(e => e.Variables()).Distinct().ToList();
                    Assert.DoesNotContain("xs", variables);
                }
            }
        }
    }

    private static double[] Row(Tensor t, int row) => t[row].data<double>().ToArray();

    private static Outputs Oracle(PolyComSpec spec, Tensor x, Tensor g, Tensor? gate, Tensor w, Tensor b)
    {
        Tensor input = x.detach().clone().requires_grad_(), weight = w.detach().clone().requires_grad_(), bias = b.detach().clone().requires_grad_();
        Tensor? gateInput = gate?.detach().clone().requires_grad_();
        Tensor y = spec.Inner == "Norm" ? Support.Reference.NormForwardRowScaled(spec, input, weight, bias) : Support.Reference.Forward(spec, input, null, weight, bias);
        if (gateInput is not null)
        {
            y = y * gateInput;
        }
        y.backward([g]);
        return new Outputs(y.detach(), input.grad!, cat([weight.grad!, bias.grad!], 0), gateInput?.grad);
    }
}
