using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// Training loss against training compute for every variant, smoothed: the mean over seeds, with a band of one
/// standard deviation either side when there are several; and dashed, in the same colour, the validation loss measured
/// every tenth of the run (mean over seeds), the curves the effective speedup is read from. Compute is the step times
/// the tokens of a step times the variant's FLOPs per token (<see cref="TrainingCompute"/>), so a variant whose
/// activation costs more is drawn further right for the same steps. As a PNG.
/// </summary>
public static class LossPlot
{
    /// <summary>The part of the compute a zoomed plot draws: its end.</summary>
    public const double ZoomedFraction = 0.4;

    /// <summary>Draws <paramref name="summaries"/> to <paramref name="path"/>; the runs take <paramref name="tokensPerStep"/> tokens a step.</summary>
    /// <param name="title">What the figure is of, before what it draws.</param>
    /// <param name="zoomFinal">
    /// Draw only the last <see cref="ZoomedFraction"/> of the compute, the loss axis fitted to it: where curves that
    /// differ by hundredths (a search's finalists) can be told apart.
    /// </param>
    public static void Save(string path, IReadOnlyList<VariantSummary> summaries, double? entropyFloor, double tokensPerStep, string title = "PolyComGen explorer", bool zoomFinal = false)
    {
        var plot = new ScottPlot.Plot();
        var drawn = new List<(double[] X, double[] Y)>();
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
            double perStep = tokensPerStep * summary.FlopsPerToken;
            double[] x = Enumerable.Range(1, steps).Select(s => s * perStep).ToArray();
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
            drawn.Add((x, mean));
            var line = plot.Add.ScatterLine(x, mean, color);
            line.LegendText = summary.Variant;
            line.LineWidth = 2;
            // The validation curve, at the steps every seed measured (all of them, unless the run was stopped).
            int points = summary.Runs.Min(r => r.ValidationCurve.Count);
            if (points > 1)
            {
                double[] at = summary.Runs[0].ValidationCurve.Take(points).Select(p => p.Step * perStep).ToArray();
                double[] validation = Enumerable.Range(0, points).Select(i => summary.Runs.Average(r => r.ValidationCurve[i].Loss)).ToArray();
                drawn.Add((at, validation));
                var dashed = plot.Add.ScatterLine(at.Skip(1).ToArray(), validation.Skip(1).ToArray(), color); // from the first tenth: the untrained loss would set the scale
                dashed.LinePattern = ScottPlot.LinePattern.Dashed;
                dashed.LineWidth = 1.5f;
            }
        }
        if (entropyFloor is double floor)
        {
            var level = plot.Add.HorizontalLine(floor);
            level.LinePattern = ScottPlot.LinePattern.Dashed;
            level.Color = ScottPlot.Colors.Black;
            level.LegendText = "entropy floor";
        }
        int seeds = summaries.Count == 0 ? 0 : summaries.Max(s => s.Runs.Count);
        // Two lines: what the figure is of, then how to read it (one line would run past the image's edges).
        plot.Title((zoomFinal ? $"{title}, the last {ZoomedFraction:P0} of the compute" : title) + "\n" + (seeds > 1
            ? $"training loss (solid, mean and ±1 std over {seeds} seeds) and validation loss (dashed)"
            : "training loss (solid) and validation loss (dashed)"));
        if (zoomFinal && drawn.Count > 0)
        {
            double end = drawn.Max(d => d.X.Length == 0 ? 0 : d.X[^1]), start = end * (1 - ZoomedFraction);
            var inside = drawn.SelectMany(d => d.X.Zip(d.Y)).Where(p => p.First >= start && double.IsFinite(p.Second)).Select(p => p.Second).ToList();
            if (inside.Count > 0)
            {
                double low = inside.Min(), high = inside.Max(), margin = Math.Max(1e-3, 0.05 * (high - low));
                plot.Axes.SetLimits(start, end, low - margin, high + margin);
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => v.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) };
        plot.XLabel("training FLOPs (matrices, attention and the activation's own)");
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
