using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>Training loss against steps for every variant, smoothed, as a PNG.</summary>
public static class LossPlot
{
    public static void Save(string path, IReadOnlyList<VariantResult> results, double? entropyFloor)
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Palette = new ScottPlot.Palettes.Category20(); // one colour per variant, for up to 20
        foreach (VariantResult result in results.Where(r => r.TrainLoss.Count > 0))
        {
            double[] steps = Enumerable.Range(1, result.TrainLoss.Count).Select(s => (double)s).ToArray();
            var line = plot.Add.ScatterLine(steps, Smooth(result.TrainLoss));
            line.LegendText = result.Variant;
            line.LineWidth = 2;
        }
        if (entropyFloor is double floor)
        {
            var level = plot.Add.HorizontalLine(floor);
            level.LinePattern = ScottPlot.LinePattern.Dashed;
            level.Color = ScottPlot.Colors.Black;
            level.LegendText = "entropy floor";
        }
        plot.Title("PolyComGen explorer: training loss");
        plot.XLabel("step");
        plot.YLabel("train loss, nats/token (EMA 0.9)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 1000, 600);
    }

    private static double[] Smooth(IReadOnlyList<double> values)
    {
        var smoothed = new double[values.Count];
        double average = values[0];
        for (int i = 0; i < values.Count; i++)
        {
            average = i == 0 ? values[0] : 0.9 * average + 0.1 * values[i];
            smoothed[i] = average;
        }
        return smoothed;
    }
}
