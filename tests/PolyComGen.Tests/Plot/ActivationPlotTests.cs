using System;
using System.IO;
using System.Linq;
using System.Threading;
using PolyComGen.Samples.Explorer;
using PolyComGen.Samples.Plot;
using Spectre.Console;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Plot;

/// <summary>
/// <c>polycom plot</c>: the curves against the formulas written here in float64 (y, and dy/dx by the formula's own
/// derivative or by central differences of the float64 formula), the gallery and a checkpoint's learned activations
/// as PNGs, and the explorer's plot and table of learned parameters.
/// </summary>
public sealed class ActivationPlotTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("polycom-plot-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static ActivationVariant Named(string name) => ActivationVariant.All.Single(v => v.Name == name);

    private static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what} at {i}: {actual[i]} against {expected[i]}");
        }
    }

    [Fact]
    public void AnElementwiseCurveIsTheFormulaAndItsDerivative()
    {
        ActivationCurve gelu = PlotRun.Declared(Named("GELU"), -4, 4);
        Assert.Equal(ActivationCurve.Points, gelu.X.Length);
        Assert.Equal(-4, gelu.X[0], 6);
        Assert.Equal(4, gelu.X[^1], 6);
        // GELU(x) = x Phi(x); its derivative Phi(x) + x phi(x).
        double[] phi = gelu.X.Select(x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI)).ToArray();
        double[] cdf = gelu.X.Select(x => 0.5 * (1 + special.erf(tensor(x / Math.Sqrt(2), float64)).item<double>())).ToArray();
        Close(gelu.X.Select((x, i) => x * cdf[i]).ToArray(), gelu.Y, 1e-5, "GELU y");
        Close(gelu.X.Select((x, i) => cdf[i] + x * phi[i]).ToArray(), gelu.Slope, 1e-5, "GELU dy/dx");
        // Gated, with the gate at 1: SwiGLU draws silu.
        ActivationCurve swiglu = PlotRun.Declared(Named("SwiGLU"), -4, 4);
        Close(swiglu.X.Select(x => x / (1 + Math.Exp(-x))).ToArray(), swiglu.Y, 1e-5, "SwiGLU y");
    }

    [Fact]
    public void ANormCurveTakesTheRangeAsOneRow()
    {
        ActivationVariant polyNorm = Named("PolyNorm");
        ActivationCurve curve = PlotRun.Declared(polyNorm, -3, 5);
        // PolyNorm as initialised: weights 1/3, bias 0; each power normalised over the row: y = sum_i w_i x^i / rms(x^i).
        double[] x = curve.X;
        double[] y(double[] xs) => xs.Select(v => Enumerable.Range(1, 3).Sum(i => Math.Pow(v, i) / Math.Sqrt(xs.Average(u => Math.Pow(u, 2 * i)) + 1e-6)) / 3).ToArray();
        Close(y(x), curve.Y, 1e-5, "PolyNorm y");
        // The slope is the gradient of the row's sum: central differences of the float64 formula, element by element.
        for (int j = 0; j < x.Length; j += 40)
        {
            const double step = 1e-5;
            double[] up = (double[])x.Clone(), down = (double[])x.Clone();
            up[j] += step;
            down[j] -= step;
            double expected = (y(up).Sum() - y(down).Sum()) / (2 * step);
            Assert.True(Math.Abs(expected - curve.Slope[j]) < 1e-3 * (1 + Math.Abs(expected)), $"PolyNorm slope at x = {x[j]}: {curve.Slope[j]} against {expected}");
        }
    }

    [Fact]
    public void TheGalleryAndOneActivationArePngs()
    {
        string one = Path.Combine(folder, "one.png"), gallery = Path.Combine(folder, "gallery.png");
        PlotRun.Variants([Named("PAU")], -4, 4, one);
        PlotRun.Variants([.. ActivationVariant.All], -4, 4, gallery); // KAT is grouped: its first group is drawn
        foreach (string path in new[] { one, gallery })
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
        }
        Assert.Throws<ExplorerException>(() => ActivationPlot.ParseRange("4,-4"));
        Assert.Equal((-2.0, 3.5), ActivationPlot.ParseRange("-2,3.5"));
    }

    [Fact]
    public void ACheckpointsLearnedActivationsAndTheExplorersAreDrawnLayerByLayer()
    {
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });
        ExplorerOutputs outputs = ExplorerRun.Execute(ExplorerOptions.Default with
        {
            Variants = ["GELU", "PAU"], Steps = 30, Width = 32, Layers = 2, Heads = 2, SequenceLength = 32, BatchSize = 8, OutputFolder = folder,
        }, console, CancellationToken.None).Outputs;

        // The explorer: the learned activation's plot, and its parameters in results.md (GELU has none).
        Assert.Equal(Path.Combine(folder, "activations.png"), outputs.LearnedPlot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(outputs.LearnedPlot!)[..4]);
        string table = File.ReadAllText(outputs.Table);
        Assert.Contains("Learned activation parameters", table);
        Assert.Contains("| PAU | 2 | b4 |", table);
        Assert.DoesNotContain("| GELU | 1 |", table);

        // A checkpoint: each layer's trained PAU differs from PAU as initialised, and the plot is written.
        string checkpoint = Checkpoint.PathOf(Path.Combine(folder, "checkpoints"), "PAU", 0), path = Path.Combine(folder, "pau.png");
        Assert.Equal("PAU, 2 layers", PlotRun.Checkpoint(checkpoint, -4, 4, path));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
        using TinyTransformer model = Checkpoint.Load(checkpoint);
        ActivationCurve initial = PlotRun.Declared(Named("PAU"), -4, 4);
        foreach (IFeedForward layer in model.FeedForwards)
        {
            ActivationCurve trained = ActivationCurve.Of("trained", layer.Activation, gated: false, -4, 4);
            Assert.True(trained.Y.Zip(initial.Y).Max(p => Math.Abs(p.First - p.Second)) > 1e-4, "training changed PAU's coefficients");
        }
    }
}
