using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// Training loss against steps for every variant, smoothed: the mean over seeds, with a band of one standard
/// deviation either side when there are several, as a PNG.
/// </summary>
public static class LossPlot
{
    public static void Save(string path, IReadOnlyList<VariantSummary> summaries, double? entropyFloor)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category20(); // one colour per variant, for up to 20
        int index = 0;
        foreach (VariantSummary summary in summaries)
        {
            ScottPlot.Color color = palette.GetColor(index++);
            // The steps every seed reached (all of them, unless the run was stopped).
            int steps = summary.Runs.Min(r => r.TrainLoss.Count);
            if (steps == 0)
            {
                continue;
            }
            double[][] curves = summary.Runs.Select(r => Smooth(r.TrainLoss, steps)).ToArray();
            double[] x = Enumerable.Range(1, steps).Select(s => (double)s).ToArray();
            double[] mean = new double[steps], deviation = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                Spread spread = Spread.Of(curves.Select(c => c[i]));
                (mean[i], deviation[i]) = (spread.Mean, spread.Deviation);
            }
            if (curves.Length > 1)
            {
                var band = plot.Add.FillY(x, mean.Zip(deviation, (m, d) => m - d).ToArray(), mean.Zip(deviation, (m, d) => m + d).ToArray());
                band.FillStyle.Color = color.WithAlpha(0.2);
                band.LineStyle.Width = 0;
            }
            var line = plot.Add.ScatterLine(x, mean, color);
            line.LegendText = summary.Variant;
            line.LineWidth = 2;
        }
        if (entropyFloor is double floor)
        {
            var level = plot.Add.HorizontalLine(floor);
            level.LinePattern = ScottPlot.LinePattern.Dashed;
            level.Color = ScottPlot.Colors.Black;
            level.LegendText = "entropy floor";
        }
        int seeds = summaries.Count == 0 ? 0 : summaries.Max(s => s.Runs.Count);
        plot.Title(seeds > 1 ? $"PolyComGen explorer: training loss, mean and ±1 std over {seeds} seeds" : "PolyComGen explorer: training loss");
        plot.XLabel("step");
        plot.YLabel("train loss, nats/token (EMA 0.9)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 1000, 600);
    }

    private static double[] Smooth(IReadOnlyList<double> values, int count)
    {
        var smoothed = new double[count];
        double average = values[0];
        for (int i = 0; i < count; i++)
        {
            average = i == 0 ? values[0] : 0.9 * average + 0.1 * values[i];
            smoothed[i] = average;
        }
        return smoothed;
    }
}
