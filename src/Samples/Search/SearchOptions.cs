using System.Collections.Generic;

namespace PolyComGen.Samples.Search;

/// <summary>Everything a run of <c>polycom search</c> is told.</summary>
/// <param name="Minutes">The time budget, planning included; the search stops drawing candidates in time to finish its last rungs and the final runs within it.</param>
/// <param name="Seed">Seeds the candidates drawn, the models and the data (a search repeats with the same seed).</param>
/// <param name="Steps">The steps of a full run (the last rung and the final runs); rung r of three trains Steps / 3^(2 - r) steps. Shortened when the budget cannot hold the final runs.</param>
/// <param name="Seeds">The model seeds of the final runs of the best candidates and the baselines.</param>
/// <param name="Top">How many of the best candidates the final runs retrain.</param>
/// <param name="Resume">Continue the search in <paramref name="OutputFolder"/>: runs it recorded are not trained again.</param>
/// <param name="Planted">Declarations evaluated first, before the drawn ones (to test a known activation among the candidates).</param>
public sealed record SearchOptions(
    double Minutes, int Seed, int Steps, int Width, int Layers, int Heads, int SequenceLength, int BatchSize, double LearningRate,
    int Seeds, int Top, string OutputFolder, string? CorpusFile, bool Resume, IReadOnlyList<string> Planted)
{
    /// <summary>20 minutes; the explorer's model and data; runs of 400 steps; the best 3 retrained with 3 seeds.</summary>
    public static SearchOptions Default => new(
        Minutes: 20, Seed: 0, Steps: 400, Width: 64, Layers: 2, Heads: 4, SequenceLength: 64, BatchSize: 16, LearningRate: 3e-3,
        Seeds: 3, Top: 3, OutputFolder: "search-out", CorpusFile: null, Resume: false, Planted: []);

    /// <summary>The built-in activations the winners are compared with, trained the same way.</summary>
    public static IReadOnlyList<string> Baselines { get; } = ["SwiGLU", "PolyNorm", "PolyReLU"];

    /// <summary>Successive halving's rungs: each keeps the best third of the one before and trains three times as long.</summary>
    public const int Rungs = 3, Reduction = 3;
}
