using PolyComGen;
using TorchSharp;
using static TorchSharp.torch;

// Activations that the repository's samples do not declare: built-ins, expressions (one under norm(), gated).
manual_seed(1);
int failures = 0;
failures += Check(new PolySiLU2(), (x, _, w, b) => b + w[0] * SiLU(x) + w[1] * SiLU(x.pow(2)));
failures += Check(new NormCubic(), (x, _, w, b) =>
{
    Tensor v = x * (x.pow(2).mean([-1], keepdim: true) + 1e-5).rsqrt();
    return b + w[0] * v + w[1] * v.pow(2) + w[2] * v.pow(3) + w[3] * v.pow(4) + w[4] * v.pow(5);
});
failures += Check(new PolyQuickGELU(), (x, _, w, b) =>
{
    Tensor q = x / (1 + (-1.702 * x).exp());
    return b + w[0] * q + w[1] * q.pow(2) + w[2] * q.pow(3);
});
failures += Check(new GatedNormTanh(), (x, gate, w, b) =>
{
    static Tensor Norm(Tensor u) => u * (u.pow(2).mean([-1], keepdim: true) + 1e-6).rsqrt();
    return (b + w[0] * Norm(x.tanh()) + w[1] * Norm(x.pow(2).tanh()) + w[2] * Norm(x.pow(3).tanh())) * gate!;
});
// The PyTorch module comes from the package's runtime too.
if (!GatedNormTanh.TorchSource.Contains("class GatedNormTanh(PolyComModule):") || !GatedNormTanh.TorchSource.Contains("def fused_backward("))
{
    Console.WriteLine("consumer: the PyTorch module is incomplete");
    failures++;
}
Console.WriteLine(failures == 0 ? "consumer: ok" : $"consumer: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

static Tensor SiLU(Tensor u) => u / (1 + (-u).exp());

// The generated module against the formula written here, forward and all gradients (the gate's too), in float64.
static int Check(IPolyComModule activation, Func<Tensor, Tensor?, Tensor, Tensor, Tensor> formula)
{
    var module = (nn.Module)activation;
    module.to(float64);
    var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
    using (no_grad())
    {
        parameters["weight"].copy_(randn(parameters["weight"].shape, dtype: float64));
        parameters["bias"].copy_(randn(1, dtype: float64));
    }
    Tensor x = randn([3, 5, 40], dtype: float64).requires_grad_();
    Tensor? gate = activation.Spec.Gated ? randn([3, 5, 40], dtype: float64).requires_grad_() : null;
    Tensor upstream = randn([3, 5, 40], dtype: float64);
    Tensor y = gate is null ? ((nn.Module<Tensor, Tensor>)module).forward(x) : ((nn.Module<Tensor, Tensor, Tensor>)module).forward(x, gate);
    y.backward([upstream]);
    Tensor dx = x.grad!.clone(), dw = parameters["weight"].grad!.clone(), db = parameters["bias"].grad!.clone();

    Tensor x2 = x.detach().requires_grad_();
    Tensor? gate2 = gate?.detach().requires_grad_();
    Tensor w2 = parameters["weight"].detach().clone().requires_grad_(), b2 = parameters["bias"].detach().clone().requires_grad_();
    Tensor expected = formula(x2, gate2, w2, b2);
    expected.backward([upstream]);

    double Error(Tensor a, Tensor e) => ((a - e).abs().max() / e.abs().max()).item<double>();
    var errors = new List<double> { Error(y, expected), Error(dx, x2.grad!), Error(dw, w2.grad!), Error(db, b2.grad!) };
    if (gate is not null)
    {
        errors.Add(Error(gate.grad!, gate2!.grad!));
    }
    double worst = errors.Max();
    Console.WriteLine($"{module.GetName()}: worst relative error {worst:E2}");
    return worst < 1e-9 ? 0 : 1;
}

[PolyCom(Order = 2, Inner = "silu", Type = 2)]
public partial class PolySiLU2 { }

[PolyCom(Order = 5, Inner = "Norm", Type = 1, Eps = 1e-5)]
public partial class NormCubic { }

[PolyCom(Order = 3, Inner = "x * sigmoid(1.702 * x)", Type = 1)]
public partial class PolyQuickGELU { }

[PolyCom(Order = 3, Inner = "norm(tanh(x))", Type = 2, Gated = true)]
public partial class GatedNormTanh { }
