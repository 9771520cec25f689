using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// The effective rank of the FFN weights after training, per layer (the mean over the layer's matrices), for every
/// variant: the mean over seeds with error bars of one standard deviation when there are several, as a PNG.
/// </summary>
public static class RankPlot
{
    public static void Save(string path, IReadOnlyList<VariantSummary> summaries)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int index = 0, layers = 0, seeds = 0;
        double offset = summaries.Count > 1 ? 0.5 / summaries.Count : 0; // side by side within each layer
        foreach (VariantSummary summary in summaries)
        {
            ScottPlot.Color color = palette.GetColor(index);
            IReadOnlyList<Spread> perLayer = summary.RankPerLayer;
            double[] x = perLayer.Select((_, layer) => layer + 1 + (index - (summaries.Count - 1) / 2.0) * offset).ToArray();
            index++;
            if (perLayer.Count == 0)
            {
                continue;
            }
            layers = System.Math.Max(layers, perLayer.Count);
            seeds = System.Math.Max(seeds, summary.Runs.Count);
            double[] mean = perLayer.Select(s => s.Mean).ToArray();
            var markers = plot.Add.ScatterPoints(x, mean, color);
            markers.MarkerSize = 9;
            markers.LegendText = summary.Variant;
            if (summary.Runs.Count > 1)
            {
                var bars = plot.Add.ErrorBar(x, mean, perLayer.Select(s => s.Deviation).ToArray());
                bars.Color = color;
            }
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(1, layers).Select(l => (double)l).ToArray(), Enumerable.Range(1, layers).Select(l => $"layer {l}").ToArray());
        plot.Title(seeds > 1 ? $"FFN effective rank after training, mean and ±1 std over {seeds} seeds" : "FFN effective rank after training");
        plot.YLabel("effective rank (entropy-based)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 1000, 600);
    }
}
