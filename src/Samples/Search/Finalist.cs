using System.Collections.Generic;
using System.Linq;
using PolyComGen.Samples.Explorer;

namespace PolyComGen.Samples.Search;

/// <summary>One finalist's final runs at one width: its validation loss and its effective speedup over each baseline.</summary>
public sealed record FinalistAtWidth(int Width, Spread ValidationLoss, IReadOnlyDictionary<string, Spread> SpeedupOver);

/// <summary>
/// A candidate of a search's final runs: its results at the search's width and at the transfer width, and whether its
/// lead held at both (<see cref="Check"/>).
/// </summary>
public sealed record Finalist(string Name, string Declaration, IReadOnlyList<FinalistAtWidth> Widths, bool Holds)
{
    /// <summary>
    /// The transfer check: each finalist's effective speedup over every baseline at every width (seed k against seed
    /// k, <see cref="VariantSummary.SpeedupOver"/>); its lead holds when it has results at every width and its mean
    /// speedup over the first baseline is above 1 at each.
    /// </summary>
    /// <param name="widths">The widths, in the order of <paramref name="summaries"/>.</param>
    /// <param name="summaries">Per width, the final runs of the finalists and the baselines.</param>
    public static IReadOnlyList<Finalist> Check(
        IReadOnlyList<int> widths, IReadOnlyList<IReadOnlyList<VariantSummary>> summaries, IReadOnlyList<ActivationVariant> finalists, IReadOnlyList<string> baselines)
    {
        var checkedFinalists = new List<Finalist>();
        foreach (ActivationVariant variant in finalists)
        {
            var atWidths = new List<FinalistAtWidth>();
            for (int w = 0; w < widths.Count; w++)
            {
                if (summaries[w].FirstOrDefault(s => s.Variant == variant.Name) is not VariantSummary summary)
                {
                    continue;
                }
                var speedups = baselines
                    .Select(b => (Name: b, Summary: summaries[w].FirstOrDefault(s => s.Variant == b)))
                    .Where(b => b.Summary is not null)
                    .ToDictionary(b => b.Name, b => summary.SpeedupOver(b.Summary!));
                atWidths.Add(new FinalistAtWidth(widths[w], summary.ValidationLoss, speedups));
            }
            bool holds = atWidths.Count == widths.Count
                && atWidths.All(w => w.SpeedupOver.TryGetValue(baselines[0], out Spread s) && s.Count > 0 && s.Mean > 1);
            checkedFinalists.Add(new Finalist(variant.Name, variant.Declaration ?? variant.Description, atWidths, holds));
        }
        return checkedFinalists;
    }
}
