using System.Collections.Generic;
using PolyComGen.Samples.Explorer;

namespace PolyComGen.Samples.Search;

/// <summary>What one training run of the search gave: the search's results files list every one.</summary>
/// <param name="Name">The candidate's name (C001 ... in the order drawn, P1 ... for planted ones) or the baseline's.</param>
/// <param name="Declaration">The declaration, or the baseline's description.</param>
/// <param name="Key">The canonical key (type, order, canonical inner function); the baseline's name for a baseline.</param>
/// <param name="Stage">rung 0, rung 1, rung 2, final or baseline (the last two at both widths).</param>
/// <param name="Status">ok, diverged (a loss that is not finite), compile error, too slow (past the time limit), or stopped (Ctrl+C).</param>
/// <param name="Reason">Why it is not ok, or null.</param>
public sealed record SearchRecord(
    string Name, string Declaration, string Key, string Stage, int Steps, int Seed, string Status, string? Reason,
    double ValidationLoss, double FinalTrainLoss, double Seconds, double CompileSeconds, IReadOnlyList<double> TrainLoss)
{
    public const string Ok = "ok", Diverged = "diverged", CompileError = "compile error", TooSlow = "too slow", Stopped = "stopped";

    /// <summary>The model width it trained at: the search's, or the transfer width for the final runs' transfer check.</summary>
    public int Width { get; init; }

    /// <summary>The validation loss at the start and every tenth of the run, for the effective speedup (empty for a run that failed).</summary>
    public IReadOnlyList<CurvePoint> ValidationCurve { get; init; } = [];

    /// <summary>Whether it trained to the end with finite losses.</summary>
    public bool Succeeded => Status == Ok && double.IsFinite(ValidationLoss);
}
