using System.Collections.Generic;

namespace PolyComGen.Samples.Search;

/// <summary>What one training run of the search gave: the search's results files list every one.</summary>
/// <param name="Name">The candidate's name (C001 ... in the order drawn, P1 ... for planted ones) or the baseline's.</param>
/// <param name="Declaration">The declaration, or the baseline's description.</param>
/// <param name="Key">The canonical key (type, order, canonical inner function); the baseline's name for a baseline.</param>
/// <param name="Stage">rung 0, rung 1, rung 2, final or baseline.</param>
/// <param name="Status">ok, diverged (a loss that is not finite), compile error, too slow (past the time limit), or stopped (Ctrl+C).</param>
/// <param name="Reason">Why it is not ok, or null.</param>
public sealed record SearchRecord(
    string Name, string Declaration, string Key, string Stage, int Steps, int Seed, string Status, string? Reason,
    double ValidationLoss, double FinalTrainLoss, double Seconds, double CompileSeconds, IReadOnlyList<double> TrainLoss)
{
    public const string Ok = "ok", Diverged = "diverged", CompileError = "compile error", TooSlow = "too slow", Stopped = "stopped";

    /// <summary>Whether it trained to the end with finite losses.</summary>
    public bool Succeeded => Status == Ok && double.IsFinite(ValidationLoss);
}
