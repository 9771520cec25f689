using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Spectre.Console;

namespace PolyComGen.Samples.Explorer;

/// <summary>One width of a scaling ladder: its model's sizes, its steps, and the explorer run at it.</summary>
/// <param name="Parameters">The baseline variant's parameter count at this width.</param>
public sealed record LadderRung(int Width, int Heads, int Steps, long Parameters, ExplorerReport Report);

/// <summary>
/// <c>polycom explore --ladder 64,128,256</c>: the explorer run at several widths, each with the same tokens per
/// parameter (the first width's steps, scaled by the parameter count), heads scaled with the width (the head size
/// stays the first run's) and the other sizes as given; then each variant's effective speedup over the baseline at
/// every width, and its trend: the least-squares slope of the speedup against log2 of the parameter count, the change
/// per doubling of the model (does the lead grow or shrink with size). Writes <c>ladder.md</c> and <c>ladder.png</c>
/// (validation loss against training FLOPs, TrainingCompute.PerToken x tokens, for every variant and width) beside a folder
/// per width.
/// </summary>
public static class ExplorerLadder
{
    public static IReadOnlyList<LadderRung> Execute(ExplorerOptions options, IReadOnlyList<int> widths, IAnsiConsole console, CancellationToken cancellation)
    {
        if (widths.Count < 2 || widths.Any(w => w <= 0) || widths.Zip(widths.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ExplorerException($"--ladder takes two or more increasing widths, e.g. 64,128,256 (got {string.Join(",", widths)}).");
        }
        if (options.Width % options.Heads != 0)
        {
            throw new ExplorerException($"--width ({options.Width}) must be a multiple of --heads ({options.Heads}).");
        }
        int headSize = options.Width / options.Heads;
        if (widths.FirstOrDefault(w => w % headSize != 0) is int odd && odd != 0)
        {
            throw new ExplorerException($"--ladder: width {odd} is not a multiple of the head size {headSize} (--width {options.Width} / --heads {options.Heads}).");
        }
        if (!ActivationVariant.Select(options.Variants, options.More).Any(v => v.Name == options.Baseline))
        {
            throw new ExplorerException($"--ladder reports the effective speedup over --baseline {options.Baseline}, which is not among the variants.");
        }
        Corpus corpus = Corpus.Open(options.CorpusFile, options.Seed + 1);
        ActivationVariant baseline = ActivationVariant.Select([options.Baseline], options.More)[0];
        long Parameters(int width) => TinyTransformer.CountParameters(corpus.VocabularySize, new ModelShape(width, options.Layers, width / headSize, options.SequenceLength), baseline);
        long first = Parameters(widths[0]);
        var rungs = new List<LadderRung>();
        foreach (int width in widths)
        {
            if (cancellation.IsCancellationRequested)
            {
                break;
            }
            long parameters = Parameters(width);
            int steps = (int)Math.Round(options.Steps * (double)parameters / first);
            console.MarkupLine($"[bold]Ladder: width {width}[/], {width / headSize} heads, {parameters:N0} parameters, {steps} steps " +
                               $"({(double)steps * options.BatchSize * options.SequenceLength / parameters:F1} tokens per parameter)");
            ExplorerReport report = ExplorerRun.Execute(options with
            {
                Width = width, Heads = width / headSize, Steps = steps, OutputFolder = Path.Combine(options.OutputFolder, $"width-{width}"),
            }, console, cancellation, corpus);
            rungs.Add(new LadderRung(width, width / headSize, steps, parameters, report));
        }
        string table = MarkdownTable(rungs, options, corpus);
        File.WriteAllText(Path.Combine(options.OutputFolder, "ladder.md"), table);
        Plot(Path.Combine(options.OutputFolder, "ladder.png"), rungs, options);
        console.WriteLine();
        console.WriteLine(table);
        console.MarkupLine($"Wrote {Markup.Escape(Path.Combine(options.OutputFolder, "ladder.md"))} and {Markup.Escape(Path.Combine(options.OutputFolder, "ladder.png"))}.");
        return rungs;
    }

    /// <summary>The least-squares slope of <paramref name="y"/> against <paramref name="x"/>; NaN for fewer than two finite points.</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var points = x.Zip(y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        if (points.Count < 2)
        {
            return double.NaN;
        }
        double mx = points.Average(p => p.First), my = points.Average(p => p.Second);
        double sxx = points.Sum(p => (p.First - mx) * (p.First - mx));
        return sxx == 0 ? double.NaN : points.Sum(p => (p.First - mx) * (p.Second - my)) / sxx;
    }

    private static string MarkdownTable(IReadOnlyList<LadderRung> rungs, ExplorerOptions options, Corpus corpus)
    {
        var text = new StringBuilder();
        text.AppendLine($"Corpus: {corpus.Description}.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Effective speedup over {options.Baseline} at each width (the same tokens per parameter); trend: the change in speedup per doubling of the parameter count (least squares).");
        text.AppendLine();
        text.AppendLine($"| variant | {string.Join(" | ", rungs.Select(r => $"width {r.Width} ({r.Parameters:N0} params, {r.Steps} steps)"))} | trend per doubling |");
        text.AppendLine($"|---|{string.Concat(rungs.Select(_ => "---:|"))}---:|");
        foreach (string variant in rungs[0].Report.Summaries.Select(s => s.Variant))
        {
            var speedups = rungs.Select(r =>
            {
                VariantSummary? summary = r.Report.Summaries.FirstOrDefault(s => s.Variant == variant);
                VariantSummary? reference = r.Report.Summaries.FirstOrDefault(s => s.Variant == options.Baseline);
                return summary is null || reference is null || summary == reference ? (Spread?)null : summary.SpeedupOver(reference);
            }).ToList();
            if (variant == options.Baseline)
            {
                text.AppendLine($"| {variant} | {string.Join(" | ", rungs.Select(r => r.Report.Summaries.First(s => s.Variant == variant).ValidationLoss.Format("F3") + " (loss)"))} | - |");
                continue;
            }
            double trend = Slope(rungs.Select(r => Math.Log2(r.Parameters)).ToList(), speedups.Select(s => s?.Mean ?? double.NaN).ToList());
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant} | {string.Join(" | ", speedups.Select(s => s is Spread spread && spread.Count > 0 ? spread.Format("F2") + "x" : "-"))} | {(double.IsFinite(trend) ? trend.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "-")} |");
        }
        return text.ToString();
    }

    // Validation loss against training FLOPs (TrainingCompute.PerToken x tokens seen), a line per variant and width.
    private static void Plot(string path, IReadOnlyList<LadderRung> rungs, ExplorerOptions options)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category20();
        ScottPlot.LinePattern[] patterns = [ScottPlot.LinePattern.Solid, ScottPlot.LinePattern.Dashed, ScottPlot.LinePattern.Dotted, ScottPlot.LinePattern.DenselyDashed];
        var variants = rungs[0].Report.Summaries.Select(s => s.Variant).ToList();
        for (int r = 0; r < rungs.Count; r++)
        {
            foreach (VariantSummary summary in rungs[r].Report.Summaries)
            {
                int points = summary.Runs.Min(run => run.ValidationCurve.Count);
                if (points < 2)
                {
                    continue;
                }
                double tokensPerStep = (double)options.BatchSize * options.SequenceLength;
                double[] flops = summary.Runs[0].ValidationCurve.Take(points).Skip(1).Select(p => summary.FlopsPerToken * tokensPerStep * p.Step).ToArray();
                double[] loss = Enumerable.Range(1, points - 1).Select(i => summary.Runs.Average(run => run.ValidationCurve[i].Loss)).ToArray();
                var line = plot.Add.ScatterLine(flops, loss, palette.GetColor(variants.IndexOf(summary.Variant)));
                line.LinePattern = patterns[r % patterns.Length];
                line.LineWidth = 2;
                line.LegendText = $"{summary.Variant}, width {rungs[r].Width}";
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => v.ToString("0.0e0", CultureInfo.InvariantCulture) };
        plot.Title($"PolyComGen explorer ladder: validation loss against training compute, widths {string.Join(", ", rungs.Select(r => r.Width))}");
        plot.XLabel("training FLOPs (matrices, attention and the activation's own, per token x tokens)");
        plot.YLabel("validation loss, nats/token");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 1100, 650);
    }
}
