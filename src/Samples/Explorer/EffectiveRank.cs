using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>The effective rank of each FFN weight matrix of one layer (gate is null for an ungated FFN).</summary>
public sealed record LayerRank(int Layer, double Up, double? Gate, double Down)
{
    /// <summary>The mean over the layer's FFN matrices.</summary>
    public double Mean => Gate is double gate ? (Up + gate + Down) / 3 : (Up + Down) / 2;
}

/// <summary>
/// The entropy-based effective rank (Roy and Vetterli, 2007), the measure the PolyCom paper uses for the FFN weights:
/// with singular values s_i and p_i = s_i / sum_j s_j, erank = exp(-sum_i p_i log p_i). It is 1 for a rank-one
/// matrix and min(m, n) for one whose singular values are all equal.
/// </summary>
public static class EffectiveRank
{
    /// <summary>The effective rank of a matrix; 0 for the zero matrix.</summary>
    public static double Of(Tensor matrix)
    {
        if (matrix.dim() != 2)
        {
            throw new ArgumentException($"The effective rank is defined for a matrix, not a tensor of shape [{string.Join(", ", matrix.shape)}].", nameof(matrix));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor s = linalg.svdvals(matrix.detach().to(float64).cpu());
        double total = s.sum().item<double>();
        if (!(total > 0))
        {
            return 0;
        }
        using Scalar sum = total.ToScalar(); // a local, so that it outlives the native call that reads it
        Tensor p = s.div(sum);
        double entropy = -(p * p.clamp_min(double.Epsilon).log()).sum().item<double>(); // 0 log 0 = 0
        return Math.Exp(entropy);
    }

    /// <summary>Every FFN layer's effective ranks, first layer first (a mixture's: each matrix's mean over the experts).</summary>
    public static IReadOnlyList<LayerRank> OfFeedForwards(TinyTransformer model) =>
        model.FeedForwards.Select((ffn, layer) =>
        {
            var ranks = ffn.Weights().GroupBy(w => w.Name).ToDictionary(g => g.Key, g => g.Average(w => Of(w.Weight)));
            return new LayerRank(layer + 1, ranks["up"], ranks.TryGetValue("gate", out double gate) ? gate : null, ranks["down"]);
        }).ToList();
}
