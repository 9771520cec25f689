using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PolyComGen.Samples.Explorer;

/// <summary>The sizes of the model the explorer trains.</summary>
/// <param name="Experts">More than 1: every FFN is a mixture of this many experts (<see cref="MixtureOfExperts"/>).</param>
/// <param name="TopK">The experts each token is routed to, when <paramref name="Experts"/> is more than 1.</param>
public sealed record ModelShape(int Width, int Layers, int Heads, int SequenceLength, int Experts = 1, int TopK = 1)
{
    /// <summary>
    /// The FFN's hidden width: 4x the model width, or 2/3 of that for gated FFNs (equal parameter count), rounded
    /// down to a multiple of the activation's <paramref name="groups"/> (a grouped activation splits it evenly).
    /// </summary>
    public int HiddenWidth(bool gated, int groups = 1)
    {
        int width = gated ? (int)Math.Round(4.0 * Width * 2 / 3) : 4 * Width;
        return Math.Max(groups, width - width % groups);
    }
}

/// <summary>
/// The scalars the model's arithmetic uses, held for the process. TorchSharp's operators (a + b, a * 0.02) make a
/// temporary Scalar that nothing keeps alive across the native call, so a garbage collection on another thread can free
/// it while libtorch reads it ("Expected false to be true" from c10::Scalar::toFloat, or "Unknown scalar type";
/// docs/torchsharp-custom-function-gc.md). The model's forward therefore calls add and mul with these.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();
}

/// <summary>Root-mean-square normalisation with a learned scale.</summary>
public sealed class RMSNorm : Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    // A long-lived scalar: TorchSharp does not keep a temporary one (x + 1e-6) alive across the native call, so a
    // collection on another thread could free it first (docs/torchsharp-custom-function-gc.md).
    private static readonly Scalar Epsilon = 1e-6.ToScalar(), One = 1.ToScalar();

    public RMSNorm(long width) : base(nameof(RMSNorm))
    {
        weight = Parameter(ones(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * x.square().mean([-1], keepdim: true).add(Epsilon, One).rsqrt() * weight;
}

/// <summary>What the explorer reads of a feed-forward block, dense or a mixture of experts.</summary>
public interface IFeedForward
{
    /// <summary>The activation module (with every expert's parameters, in a mixture).</summary>
    Module Activation { get; }

    /// <summary>The weight matrices by name: up, gate (gated only) and down; a mixture gives each expert's.</summary>
    IEnumerable<(string Name, Tensor Weight)> Weights();
}

/// <summary>
/// The feed-forward block: down(act(up(x))), or for a gated activation down(act(gate(x), up(x))) with act(a, b) =
/// PolyCom(a) * b or silu(a) * b (SwiGLU's form).
/// </summary>
public sealed class FeedForward : Module<Tensor, Tensor>, IFeedForward
{
    private readonly Linear up;
    private readonly Linear? gate;
    private readonly Module<Tensor, Tensor>? activation;
    private readonly Module<Tensor, Tensor, Tensor>? gatedActivation;
    private readonly Linear down;

    public FeedForward(ModelShape shape, ActivationVariant variant) : base(nameof(FeedForward))
    {
        int hidden = shape.HiddenWidth(variant.Gated, variant.Groups);
        up = Linear(shape.Width, hidden, hasBias: false);
        down = Linear(hidden, shape.Width, hasBias: false);
        if (variant.Gated)
        {
            gate = Linear(shape.Width, hidden, hasBias: false);
            gatedActivation = (Module<Tensor, Tensor, Tensor>)variant.Create();
        }
        else
        {
            activation = (Module<Tensor, Tensor>)variant.Create();
        }
        RegisterComponents();
    }

    /// <summary>The activation module, gated or not.</summary>
    public Module Activation => (Module?)activation ?? gatedActivation!;

    /// <summary>The weight matrices of the block, by name: up, gate (gated only) and down.</summary>
    public IEnumerable<(string Name, Tensor Weight)> Weights()
    {
        yield return ("up", up.weight!);
        if (gate is not null)
        {
            yield return ("gate", gate.weight!);
        }
        yield return ("down", down.weight!);
    }

    public override Tensor forward(Tensor x) => gate is null
        ? down.forward(activation!.forward(up.forward(x)))
        : down.forward(gatedActivation!.forward(gate.forward(x), up.forward(x)));
}

/// <summary>Causal multi-head self-attention.</summary>
public sealed class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear output;
    private readonly int heads;

    public CausalSelfAttention(ModelShape shape) : base(nameof(CausalSelfAttention))
    {
        heads = shape.Heads;
        qkv = Linear(shape.Width, 3 * shape.Width, hasBias: false);
        output = Linear(shape.Width, shape.Width, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long batch = x.shape[0], time = x.shape[1], width = x.shape[2];
        Tensor[] parts = qkv.forward(x).view(batch, time, 3, heads, width / heads).permute(2, 0, 3, 1, 4).unbind(0);
        Tensor attended = functional.scaled_dot_product_attention(parts[0], parts[1], parts[2], null, 0.0, true);
        return output.forward(attended.transpose(1, 2).reshape(batch, time, width));
    }
}

/// <summary>A pre-norm transformer block.</summary>
public sealed class Block : Module<Tensor, Tensor>
{
    private readonly RMSNorm attentionNorm, feedForwardNorm;
    private readonly CausalSelfAttention attention;
    private readonly Module<Tensor, Tensor> feedForward;

    public Block(ModelShape shape, ActivationVariant variant) : base(nameof(Block))
    {
        attentionNorm = new RMSNorm(shape.Width);
        attention = new CausalSelfAttention(shape);
        feedForwardNorm = new RMSNorm(shape.Width);
        feedForward = shape.Experts > 1 ? new MixtureOfExperts(shape, variant) : new FeedForward(shape, variant);
        RegisterComponents();
    }

    /// <summary>The block's feed-forward network, dense or a mixture of experts.</summary>
    public IFeedForward FeedForward => (IFeedForward)feedForward;

    public override Tensor forward(Tensor x)
    {
        x = x.add(attention.forward(attentionNorm.forward(x)), Scalars.One);
        return x.add(feedForward.forward(feedForwardNorm.forward(x)), Scalars.One);
    }
}

/// <summary>A small decoder-only language model whose FFN activation is pluggable.</summary>
public sealed class TinyTransformer : Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Parameter positions;
    private readonly ModuleList<Block> blocks;
    private readonly RMSNorm finalNorm;
    private readonly Linear head;

    public TinyTransformer(int vocabulary, ModelShape shape, ActivationVariant variant) : base(nameof(TinyTransformer))
    {
        if (shape.Width % shape.Heads != 0)
        {
            throw new ExplorerException($"The model width ({shape.Width}) must be a multiple of the number of heads ({shape.Heads}).");
        }
        tokens = Embedding(vocabulary, shape.Width);
        using (Scalar scale = 0.02.ToScalar()) // a local, so that it outlives the native call that reads it
        {
            positions = Parameter(randn(shape.SequenceLength, shape.Width).mul(scale));
        }
        var list = new Block[shape.Layers];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = new Block(shape, variant);
        }
        blocks = ModuleList(list);
        finalNorm = new RMSNorm(shape.Width);
        head = Linear(shape.Width, vocabulary, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The parameters of a model of <paramref name="shape"/> with <paramref name="variant"/>, counted on a throwaway instance.</summary>
    public static long CountParameters(int vocabulary, ModelShape shape, ActivationVariant variant)
    {
        using var scope = NewDisposeScope();
        using var model = new TinyTransformer(vocabulary, shape, variant);
        return model.parameters().Sum(p => p.numel());
    }

    /// <summary>The feed-forward networks, first layer first.</summary>
    public IEnumerable<IFeedForward> FeedForwards => blocks.Select(block => block.FeedForward);

    /// <summary>The mixtures' load-balancing losses of the last forward, summed over layers; null for dense FFNs.</summary>
    public Tensor? BalanceLoss()
    {
        var losses = FeedForwards.OfType<MixtureOfExperts>().Select(m => m.BalanceLoss).OfType<Tensor>().ToList();
        return losses.Count == 0 ? null : losses.Aggregate((a, b) => a.add(b, Scalars.One));
    }

    /// <summary>The fraction of token copies of the busiest expert in the last forward, averaged over layers; NaN for dense FFNs.</summary>
    public double Busiest => FeedForwards.OfType<MixtureOfExperts>().Select(m => m.Busiest).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Logits [batch, time, vocabulary] for token ids [batch, time].</summary>
    public override Tensor forward(Tensor ids)
    {
        Tensor x = tokens.forward(ids).add(positions.narrow(0, 0, ids.shape[1]), Scalars.One);
        foreach (Block block in blocks)
        {
            x = block.forward(x);
        }
        return head.forward(finalNorm.forward(x));
    }
}
