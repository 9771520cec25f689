using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// AdamW with decoupled weight decay, step for step TorchSharp's <c>optim.AdamW</c> (the same operations in the same
/// order on the same values, so the same bits), except that every scalar argument is a <see cref="Scalar"/> held until
/// the step ends.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's AdamW passes scalars converted implicitly from <c>double</c>: the temporary's native handle goes to
/// libtorch and nothing keeps the <see cref="Scalar"/> alive, so on a loaded machine the garbage collector's finalizer
/// can free it while the call still reads it. The explorer's tests failed so inside <c>AdamW.step</c> ("Unknown scalar
/// type", "Expected false to be true" from <c>Scalar::toDouble</c>), and so did the explorer once.
/// </remarks>
internal sealed class ExplorerAdamW : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] averages, squares;
    private readonly double beta1, beta2, eps, weightDecay;
    private long steps;

    public ExplorerAdamW(IEnumerable<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay)
    {
        this.parameters = parameters.ToArray();
        (this.beta1, this.beta2, this.eps, this.weightDecay) = (beta1, beta2, eps, weightDecay);
        averages = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        squares = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Zeroes every parameter's gradient, as <c>Optimizer.zero_grad</c> does.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter parameter in parameters)
        {
            parameter.grad?.zero_();
        }
    }

    /// <summary>One step at learning rate <paramref name="lr"/>.</summary>
    public void Step(double lr)
    {
        steps++;
        double correction1 = 1 - Math.Pow(beta1, steps), correction2 = 1 - Math.Pow(beta2, steps);
        using Scalar decay = (1 - lr * weightDecay).ToScalar(), b1 = beta1.ToScalar(), a1 = (1 - beta1).ToScalar(), b2 = beta2.ToScalar(),
            a2 = (1 - beta2).ToScalar(), root = Math.Sqrt(correction2).ToScalar(), epsilon = eps.ToScalar(), one = 1.ToScalar(),
            size = (-(lr / correction1)).ToScalar();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor? grad = parameters[i].grad;
            if (grad is null)
            {
                continue;
            }
            parameters[i].mul_(decay);
            averages[i].mul_(b1).add_(grad, alpha: a1);
            squares[i].mul_(b2).addcmul_(grad, grad, value: a2);
            Tensor denominator = squares[i].sqrt().div(root).add_(epsilon, one);
            parameters[i].addcdiv_(averages[i], denominator, value: size);
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in averages.Concat(squares))
        {
            t.Dispose();
        }
    }
}
