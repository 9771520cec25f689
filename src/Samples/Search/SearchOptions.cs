using System.Collections.Generic;

namespace PolyComGen.Samples.Search;

/// <summary>Everything a run of <c>polycom search</c> is told.</summary>
/// <param name="Minutes">The time budget, a deadline: planning included, the search is planned and re-planned to finish within it, and stops training when it ends. A budget too small for the smallest meaningful search is refused.</param>
/// <param name="Seed">Seeds the candidates drawn, the models and the data (a search repeats with the same seed).</param>
/// <param name="Steps">The steps of a full run (the last rung and the final runs); rung r of three trains Steps / 3^(2 - r) steps. Shortened when the budget cannot hold the final runs.</param>
/// <param name="Seeds">The model seeds of the final runs of the best candidates and the baselines.</param>
/// <param name="Top">How many of the best candidates the final runs retrain.</param>
/// <param name="Resume">Continue the search in <paramref name="OutputFolder"/>: runs it recorded are not trained again.</param>
/// <param name="Planted">Declarations evaluated first, before the drawn ones (to test a known activation among the candidates).</param>
/// <param name="TransferWidth">The second width of the final runs (the transfer check); 0 for twice <paramref name="Width"/>. Heads scale with it (the head size stays).</param>
/// <param name="Candidates">At most this many drawn candidates; 0 for as many as the budget holds.</param>
public sealed record SearchOptions(
    double Minutes, int Seed, int Steps, int Width, int Layers, int Heads, int SequenceLength, int BatchSize, double LearningRate,
    int Seeds, int Top, string OutputFolder, string? CorpusFile, bool Resume, IReadOnlyList<string> Planted, int TransferWidth = 0, int Candidates = 0)
{
    /// <summary>The transfer width: <see cref="TransferWidth"/>, or twice <see cref="Width"/> when it is 0.</summary>
    public int TransferWidthOrDefault => TransferWidth == 0 ? 2 * Width : TransferWidth;

    /// <summary>20 minutes; the explorer's model and data; runs of 400 steps; the best 3 retrained with 3 seeds at widths 64 and 128.</summary>
    public static SearchOptions Default => new(
        Minutes: 20, Seed: 0, Steps: 400, Width: 64, Layers: 2, Heads: 4, SequenceLength: 64, BatchSize: 16, LearningRate: 3e-3,
        Seeds: 3, Top: 3, OutputFolder: "search-out", CorpusFile: null, Resume: false, Planted: []);

    /// <summary>
    /// The built-in activations the winners are compared with, trained the same way at both widths; a winner's lead
    /// must hold over the first.
    /// </summary>
    public static IReadOnlyList<string> Baselines { get; } = ["SwiGLU", "PolyNorm"];

    /// <summary>Successive halving's rungs: each keeps the best third of the one before and trains three times as long.</summary>
    public const int Rungs = 3, Reduction = 3;
}
