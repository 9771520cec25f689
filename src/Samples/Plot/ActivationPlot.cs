using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Samples.Explorer;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Plot;

/// <summary>
/// An activation's values and slopes over a range of x: y and the gradient of the sum of y with respect to each
/// x, from the module's own forward and backward (the fused kernels). For an elementwise activation that is dy/dx;
/// a norm activation takes the whole range as one row (normalised by its RMS), so its slope also holds what each x
/// does to the others through the row's statistics. A gated activation is drawn with its gate at 1.
/// </summary>
/// <param name="Label">What the legend calls it.</param>
public sealed record ActivationCurve(string Label, double[] X, double[] Y, double[] Slope)
{
    /// <summary>True for a curve drawn for comparison (in grey): an activation at its initialisation beside its learned forms.</summary>
    public bool Reference { get; init; }

    /// <summary>The points a curve is sampled at.</summary>
    public const int Points = 401;

    /// <summary>
    /// The curve of <paramref name="module"/> (a <c>Module&lt;Tensor, Tensor&gt;</c>, or gated <c>Module&lt;Tensor, Tensor, Tensor&gt;</c>)
    /// over [from, to]; with <paramref name="groups"/>, its first group's.
    /// </summary>
    public static ActivationCurve Of(string label, nn.Module module, bool gated, double from, double to, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!(from < to) || !double.IsFinite(from) || !double.IsFinite(to))
        {
            throw new ArgumentException($"The range must be two finite numbers, the first below the second (got {from} to {to}).");
        }
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        ScalarType dtype = module.parameters().Select(p => p.dtype).DefaultIfEmpty(ScalarType.Float32).First();
        // A grouped activation splits the row into groups, each with its own parameters: the range is repeated in every
        // group, and the first group's curve drawn.
        Tensor x = linspace(from, to, Points, dtype: dtype).repeat(groups).requires_grad_(true);
        Tensor y = gated
            ? ((nn.Module<Tensor, Tensor, Tensor>)module).forward(x, ones_like(x))
            : ((nn.Module<Tensor, Tensor>)module).forward(x);
        y.sum().backward();
        double[] Values(Tensor t) => t.detach().narrow(0, 0, Points).to(ScalarType.Float64).data<double>().ToArray();
        return new ActivationCurve(label, Values(x), Values(y), Values(x.grad!));
    }
}

/// <summary>Activation curves as PNGs (ScottPlot): one panel, or a gallery of panels.</summary>
public static class ActivationPlot
{
    /// <summary>
    /// One figure: y (solid) and its slope (dashed, same colour) of every curve against x, titled
    /// <paramref name="title"/> (the activation's formula); reference curves in grey.
    /// </summary>
    public static void Save(string path, string title, IReadOnlyList<ActivationCurve> curves)
    {
        var plot = new ScottPlot.Plot();
        Draw(plot, title, curves, legend: true, wrap: 90);
        plot.SavePng(path, 1000, 650);
    }

    /// <summary>A gallery: a panel per entry (its title and curves), <paramref name="columns"/> panels a row.</summary>
    public static void SaveGallery(string path, IReadOnlyList<(string Title, IReadOnlyList<ActivationCurve> Curves)> panels, int columns = 4)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("A gallery needs at least one panel.", nameof(panels));
        }
        int rows = (panels.Count + columns - 1) / columns;
        columns = Math.Min(columns, panels.Count);
        var multiplot = new ScottPlot.Multiplot();
        ScottPlot.IMultiplotExtensions.AddPlots(multiplot, rows * columns);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        for (int i = 0; i < rows * columns; i++)
        {
            ScottPlot.Plot plot = ScottPlot.IMultiplotExtensions.GetPlot(multiplot, i);
            if (i < panels.Count)
            {
                Draw(plot, panels[i].Title, panels[i].Curves, legend: panels[i].Curves.Count > 1, wrap: 48);
            }
            else
            {
                plot.HideGrid();
                plot.Layout.Frameless();
            }
        }
        ScottPlot.IMultiplotExtensions.SavePng(multiplot, path, 480 * columns, 380 * rows);
    }

    private static void Draw(ScottPlot.Plot plot, string title, IReadOnlyList<ActivationCurve> curves, bool legend, int wrap)
    {
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (ActivationCurve curve in curves)
        {
            ScottPlot.Color color = curve.Reference ? ScottPlot.Colors.Gray : palette.GetColor(colour++);
            var y = plot.Add.ScatterLine(curve.X, curve.Y, color);
            y.LineWidth = 2;
            y.LegendText = curve.Label + " y";
            var slope = plot.Add.ScatterLine(curve.X, curve.Slope, color);
            slope.LinePattern = ScottPlot.LinePattern.Dashed;
            slope.LineWidth = 1.5f;
            slope.LegendText = curve.Label + " dy/dx";
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = ScottPlot.Colors.Black.WithAlpha(0.3);
        zero.LineWidth = 1;
        plot.Title(Wrap(title, wrap), size: 12);
        plot.XLabel("x");
        if (legend)
        {
            plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        }
    }

    // A long formula over several lines of at most about width characters, broken at spaces.
    private static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        string line = "";
        foreach (string word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }
        lines.Add(line);
        return string.Join("\n", lines);
    }

    /// <summary>"-4,4" as a range.</summary>
    public static (double From, double To) ParseRange(string text)
    {
        string[] parts = (text ?? "").Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double from)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double to) && from < to && double.IsFinite(from) && double.IsFinite(to))
        {
            return (from, to);
        }
        throw new ExplorerException($"--range must be two numbers FROM,TO with FROM below TO, e.g. -4,4 (got '{text}').");
    }
}
