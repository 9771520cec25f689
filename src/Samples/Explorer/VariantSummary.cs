using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>A mean and its spread over the seeds of a variant: the sample standard deviation, 0 for one seed.</summary>
public readonly record struct Spread(double Mean, double Deviation, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        double[] finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, 0);
        }
        double mean = finite.Average();
        double deviation = finite.Length > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1)) : 0;
        return new Spread(mean, deviation, finite.Length);
    }

    /// <summary>"1.234" for one seed, "1.234 ± 0.012" for several.</summary>
    public string Format(string format) => Count > 1
        ? $"{Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {Deviation.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"
        : Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Every seed's run of one variant, and their means and spreads.</summary>
public sealed record VariantSummary(string Variant, string Description, IReadOnlyList<VariantResult> Runs)
{
    public long Parameters => Runs[0].Parameters;

    public Spread TrainLoss => Spread.Of(Runs.Select(r => r.FinalTrainLoss));

    public Spread ValidationLoss => Spread.Of(Runs.Select(r => r.ValidationLoss));

    /// <summary>The FFN effective rank averaged over layers and matrices, over the seeds.</summary>
    public Spread Rank => Spread.Of(Runs.Select(r => r.MeanRank));

    /// <summary>A mixture of experts' busiest expert's share of the token copies (<see cref="VariantResult.Busiest"/>), over the seeds.</summary>
    public Spread Busiest => Spread.Of(Runs.Select(r => r.Busiest));

    /// <summary>The effective rank of each layer (mean of its FFN matrices) over the seeds, first layer first.</summary>
    public IReadOnlyList<Spread> RankPerLayer => Runs[0].Ranks
        .Select((_, layer) => Spread.Of(Runs.Where(r => r.Ranks.Count > layer).Select(r => r.Ranks[layer].Mean))).ToList();

    public double TokensPerSecond => Runs.Average(r => r.TokensPerSecond);

    public TimeSpan WallTime => TimeSpan.FromTicks(Runs.Sum(r => r.WallTime.Ticks));

    public bool Completed => Runs.All(r => r.Completed);

    /// <summary>
    /// The effective speedup over <paramref name="baseline"/> (<see cref="EffectiveSpeedup"/>), seed by seed (each run
    /// against the baseline's run with the same model seed, on the same data), over the seeds both have: in steps, or
    /// with <paramref name="flops"/> in training FLOPs (the steps' ratio times the baseline's FLOPs per step over the
    /// variant's, <see cref="VariantResult.FlopsPerToken"/>; both take the same tokens per step).
    /// </summary>
    public Spread SpeedupOver(VariantSummary baseline, bool flops = false) =>
        Spread.Of(Runs.Join(baseline.Runs, run => run.Seed, base_ => base_.Seed,
            (run, base_) => EffectiveSpeedup.Of(base_.ValidationCurve, run.ValidationCurve) * (flops ? base_.FlopsPerToken / run.FlopsPerToken : 1)).Where(double.IsFinite));

    /// <summary>A training step's FLOPs per token (every seed's model is the same size).</summary>
    public double FlopsPerToken => Runs[0].FlopsPerToken;

    /// <summary>The runs grouped by variant, in the order they ran.</summary>
    public static IReadOnlyList<VariantSummary> Of(IReadOnlyList<VariantResult> results, IReadOnlyList<ActivationVariant> variants) =>
        results.GroupBy(r => r.Variant)
            .Select(g => new VariantSummary(g.Key, variants.First(v => v.Name == g.Key).Description, g.ToList()))
            .ToList();

    /// <summary>
    /// The variant with the lowest mean validation loss, and whether its lead over the runner-up is larger than the
    /// spread: the larger of the two standard deviations over seeds. With one seed there is no spread to measure a lead
    /// against, so no lead is clear.
    /// </summary>
    public static (string? Best, bool Clear) Best(IReadOnlyList<VariantSummary> summaries)
    {
        var ranked = summaries.Where(s => double.IsFinite(s.ValidationLoss.Mean)).OrderBy(s => s.ValidationLoss.Mean).ToList();
        if (ranked.Count == 0)
        {
            return (null, false);
        }
        if (ranked.Count == 1)
        {
            return (ranked[0].Variant, true);
        }
        Spread first = ranked[0].ValidationLoss, second = ranked[1].ValidationLoss;
        if (first.Count < 2 || second.Count < 2)
        {
            return (ranked[0].Variant, false);
        }
        return (ranked[0].Variant, second.Mean - first.Mean > Math.Max(first.Deviation, second.Deviation));
    }
}
