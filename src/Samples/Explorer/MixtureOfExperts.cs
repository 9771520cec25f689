using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// A mixture-of-experts feed-forward block, switch-style: a linear router, a softmax over the experts, the top K of
/// each token (their weights renormalised to sum to 1), the token copies sorted by expert so that each expert's
/// matrices multiply its rows in one matmul, one activation module with experts over all of them (each expert's rows
/// with its own activation parameters: <c>forward(h, offsets)</c>), and each copy's output weighted and added back to
/// its token. Capacity is unlimited (no token is dropped). Each expert is the dense block's FFN (hidden width 4x, or
/// 2/3 of that gated), so with top-K routing a token's active FFN parameters are K dense FFNs'.
/// </summary>
public sealed class MixtureOfExperts : Module<Tensor, Tensor>, IFeedForward
{
    private readonly Linear router;
    private readonly Parameter up, down;
    private readonly Parameter? gate;
    private readonly Module activation;
    private readonly int experts, topK;
    private readonly bool gated;

    // A long-lived scalar: a temporary one could be freed by a collection while libtorch reads it (docs/torchsharp-custom-function-gc.md).
    private static readonly Scalar One = 1.ToScalar();
    private readonly Scalar expertCount;

    public MixtureOfExperts(ModelShape shape, ActivationVariant variant) : base(nameof(MixtureOfExperts))
    {
        experts = shape.Experts;
        topK = shape.TopK;
        gated = variant.Gated;
        int hidden = shape.HiddenWidth(variant.Gated, variant.Groups);
        router = Linear(shape.Width, experts, hasBias: false);
        expertCount = experts.ToScalar();
        // As Linear initialises its weight: uniform within 1 / sqrt(fan in). (Scalars as locals that outlive the native
        // calls reading them: a temporary one can be freed by a collection meanwhile; see Scalars.)
        Parameter Matrices(int rows, int columns)
        {
            using Scalar two = 2.ToScalar(), bound = (1 / Math.Sqrt(columns)).ToScalar();
            return Parameter(rand(experts, rows, columns).mul(two).sub(One).mul(bound));
        }
        up = Matrices(hidden, shape.Width);
        gate = variant.Gated ? Matrices(hidden, shape.Width) : null;
        down = Matrices(shape.Width, hidden);
        activation = variant.CreateExperts(experts);
        RegisterComponents();
    }

    /// <summary>The activation module with experts (every expert's parameters in one module).</summary>
    public Module Activation => activation;

    /// <summary>The switch load-balancing loss of the last forward: E * sum_e f_e * p_e (1 when perfectly balanced).</summary>
    public Tensor? BalanceLoss { get; private set; }

    /// <summary>The fraction of the last forward's token copies that went to the busiest expert (1/E when balanced).</summary>
    public double Busiest { get; private set; } = double.NaN;

    /// <summary>Every expert's matrices, by name (up, gate, down), expert after expert.</summary>
    public IEnumerable<(string Name, Tensor Weight)> Weights()
    {
        for (int e = 0; e < experts; e++)
        {
            yield return ("up", up[e]);
            if (gate is not null)
            {
                yield return ("gate", gate[e]);
            }
            yield return ("down", down[e]);
        }
    }

    public override Tensor forward(Tensor x)
    {
        long width = x.shape[^1];
        Tensor flat = x.reshape(-1, width);
        long tokens = flat.shape[0];
        Tensor probabilities = functional.softmax(router.forward(flat), -1);
        var (topWeights, topExperts) = probabilities.topk(topK, dim: -1);
        topWeights = topWeights / topWeights.sum(-1, keepdim: true);

        // The token copies sorted by expert (stable: in token order within an expert), and the experts' boundaries.
        Tensor assignment = topExperts.reshape(-1);
        Tensor order = assignment.sort(stable: true).Indices;
        Tensor source = arange(tokens, device: x.device).repeat_interleave(topK).index_select(0, order);
        Tensor weights = topWeights.reshape(-1).index_select(0, order);
        Tensor counts = bincount(assignment, minlength: experts);
        long[] rows = counts.cpu().data<long>().ToArray();
        Tensor offsets = cat([zeros(1, dtype: int64, device: x.device), counts.cumsum(0)]);

        Tensor copies = flat.index_select(0, source);
        Tensor PerExpert(Tensor input, Parameter matrices) =>
            cat(Enumerable.Range(0, experts).Select(e => input.narrow(0, Start(rows, e), rows[e]).matmul(matrices[e].t())).ToArray(), 0);
        Tensor hidden = PerExpert(copies, up);
        Tensor activated = gated
            ? ((Module<Tensor, Tensor, Tensor, Tensor>)activation).forward(PerExpert(copies, gate!), hidden, offsets)
            : ((Module<Tensor, Tensor, Tensor>)activation).forward(hidden, offsets);
        Tensor output = PerExpert(activated, down) * weights.unsqueeze(1);
        Tensor combined = zeros_like(flat).index_add(0, source, output, One);

        // Switch's auxiliary loss, from the fraction of copies per expert and the mean router probability.
        using Scalar copyCount = (tokens * topK).ToScalar(); // a local that outlives the native call reading it
        Tensor fractions = counts.to(probabilities.dtype).div(copyCount);
        BalanceLoss = (fractions * probabilities.mean([0])).sum().mul(expertCount);
        Busiest = rows.Max() / (double)(tokens * topK);
        return combined.reshape(x.shape);
    }

    private static long Start(long[] rows, int expert)
    {
        long start = 0;
        for (int e = 0; e < expert; e++)
        {
            start += rows[e];
        }
        return start;
    }
}
