using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Samples.Explorer;

namespace PolyComGen.Samples.Search;

/// <summary>
/// What one training run costs at one model width: seconds per step (the steady state, timed from the
/// <see cref="Trainer.TimedAfterSteps"/>-th step on) and seconds per run besides the steps (building the model, the
/// validation measurements, the first steps' compilation).
/// </summary>
public readonly record struct RunCost(double PerStep, double PerRun)
{
    /// <summary>The seconds a run of <paramref name="steps"/> steps takes.</summary>
    public double Seconds(int steps) => PerRun + PerStep * steps;

    /// <summary>This cost times <paramref name="factor"/> (a slower activation, or a machine that slowed down).</summary>
    public RunCost Times(double factor) => new(PerStep * factor, PerRun * factor);

    /// <summary>The cost a finished run shows: its timed steps give the cost per step, the rest of its seconds the cost per run.</summary>
    public static RunCost Of(VariantResult result, double seconds)
    {
        int timed = result.TrainLoss.Count > 2 * Trainer.TimedAfterSteps ? result.TrainLoss.Count - Trainer.TimedAfterSteps : result.TrainLoss.Count;
        double perStep = timed > 0 ? result.WallTime.TotalSeconds / timed : seconds;
        return new RunCost(perStep, Math.Max(0, seconds - perStep * result.TrainLoss.Count));
    }
}

/// <summary>
/// The steps a search can afford: successive halving's rungs, then the final runs (the best candidates and the
/// baselines, every seed, at both widths), fitted to a number of seconds from measured run costs. Pure arithmetic, so
/// that a budget is checked before anything long runs and re-planned as the search goes.
/// </summary>
/// <param name="RungSteps">Each rung's steps: rung r trains the final steps divided by 3 for each rung still to come (at least 10 * 3^r).</param>
/// <param name="FinalSteps">The steps of every final run.</param>
public sealed record SearchPlan(IReadOnlyList<int> RungSteps, int FinalSteps)
{
    /// <summary>The fewest candidates a search is worth running with: one rung's worth of successive halving.</summary>
    public const int MinimumCandidates = SearchOptions.Reduction;

    /// <summary>The shortest final runs: the last rung's shortest length (90 steps).</summary>
    public static int MinimumFinalSteps => Rung(0, SearchOptions.Rungs - 1);

    /// <summary>The final runs get at most this share of what is left when they are planned.</summary>
    public const double FinalShare = 0.6;

    /// <summary>Rung r's steps for final runs of <paramref name="steps"/>: divided by 3 for each rung still to come, and at least 10 * 3^r.</summary>
    public static int Rung(int steps, int rung) =>
        Math.Max(10 * (int)Math.Pow(SearchOptions.Reduction, rung), steps / (int)Math.Pow(SearchOptions.Reduction, SearchOptions.Rungs - 1 - rung));

    /// <summary>How many of <paramref name="candidates"/> rung r trains: the best third of the rung before, at least one.</summary>
    public static int Survivors(int candidates, int rung) =>
        Math.Max(1, (int)Math.Ceiling(candidates / Math.Pow(SearchOptions.Reduction, rung)));

    /// <summary>The plan whose final runs are <paramref name="steps"/> long.</summary>
    public static SearchPlan For(int steps) => new(Enumerable.Range(0, SearchOptions.Rungs).Select(r => Rung(steps, r)).ToArray(), steps);

    /// <summary>The seconds rungs <paramref name="from"/> onwards take for <paramref name="candidates"/> first-rung candidates at <paramref name="candidate"/>'s cost.</summary>
    public double RungSeconds(int candidates, RunCost candidate, int from = 0) =>
        Enumerable.Range(from, SearchOptions.Rungs - from).Sum(r => Survivors(candidates, r) * candidate.Seconds(RungSteps[r]));

    /// <summary>
    /// The seconds of the final runs: <paramref name="seeds"/> rounds, each training every baseline and
    /// <paramref name="top"/> candidates (at <paramref name="candidateFactor"/> times a baseline's cost) at every width.
    /// </summary>
    public double FinalSeconds(int top, int baselines, int seeds, IReadOnlyList<RunCost> widths, double candidateFactor) =>
        seeds * widths.Sum(w => (baselines + top * candidateFactor) * w.Seconds(FinalSteps));

    /// <summary>
    /// The smallest search that means something: <see cref="MinimumCandidates"/> candidates through the three rungs at
    /// their shortest (10, 30 and 90 steps), then the best one and the baselines with every seed at both widths for
    /// <see cref="MinimumFinalSteps"/> steps (or the options' steps when fewer). Its seconds, at the measured costs.
    /// </summary>
    public static double MinimumSeconds(SearchOptions options, IReadOnlyList<RunCost> widths, double candidateFactor)
    {
        SearchPlan smallest = For(Math.Min(options.Steps, MinimumFinalSteps));
        return smallest.RungSeconds(MinimumCandidates, widths[0].Times(candidateFactor))
             + smallest.FinalSeconds(1, SearchOptions.Baselines.Count, options.Seeds, widths, candidateFactor);
    }

    /// <summary>
    /// The longest final runs, up to <paramref name="steps"/> and at least <see cref="MinimumFinalSteps"/> (or
    /// <paramref name="steps"/> when shorter), whose seconds are at most <paramref name="seconds"/>.
    /// </summary>
    public static SearchPlan Fit(int steps, double seconds, int top, int seeds, IReadOnlyList<RunCost> widths, double candidateFactor)
    {
        if (For(steps).FinalSeconds(top, SearchOptions.Baselines.Count, seeds, widths, candidateFactor) <= seconds)
        {
            return For(steps);
        }
        // Final seconds grow linearly with the steps: solve for the steps that fill the seconds.
        double perRun = For(0).FinalSeconds(top, SearchOptions.Baselines.Count, seeds, widths, candidateFactor);
        double perStep = For(1).FinalSeconds(top, SearchOptions.Baselines.Count, seeds, widths, candidateFactor) - perRun;
        int fitted = perStep > 0 ? (int)Math.Floor((seconds - perRun) / perStep) : steps;
        return For(Math.Clamp(fitted, Math.Min(MinimumFinalSteps, steps), steps));
    }
}
