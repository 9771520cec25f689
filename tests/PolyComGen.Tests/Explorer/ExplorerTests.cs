using System;
using System.IO;
using System.Linq;
using System.Threading;
using PolyComGen.Samples.Explorer;
using Spectre.Console;
using Xunit;

namespace PolyComGen.Tests.Explorer;

/// <summary>The explorer end to end on a tiny model, and its answers to bad input.</summary>
public sealed class ExplorerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-explore-").FullName;
    private readonly StringWriter output = new();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private IAnsiConsole Console => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });

    private ExplorerOptions Tiny(params string[] variants) => ExplorerOptions.Default with
    {
        Variants = variants, Steps = 60, Width = 32, Layers = 1, Heads = 2, SequenceLength = 32, BatchSize = 8, OutputFolder = folder,
    };

    [Fact]
    public void TrainsEachVariantAndWritesTablePlotAndCurves()
    {
        var (results, outputs) = ExplorerRun.Execute(Tiny("SwiGLU", "PolyNorm", "PolyReLU"), Console, CancellationToken.None);

        Assert.Equal(["SwiGLU", "PolyNorm", "PolyReLU"], results.Select(r => r.Variant).ToArray());
        foreach (VariantResult result in results)
        {
            Assert.Equal(60, result.TrainLoss.Count);
            Assert.All(result.TrainLoss, loss => Assert.True(double.IsFinite(loss)));
            Assert.True(double.IsFinite(result.ValidationLoss));
            double first = result.TrainLoss.Take(10).Average(), last = result.TrainLoss.TakeLast(10).Average();
            Assert.True(last < first - 0.1, $"{result.Variant}: loss went from {first:F3} to {last:F3}");
        }
        string table = File.ReadAllText(outputs.Table);
        Assert.Equal(3, table.Split('\n').Count(line => line.StartsWith("| Swi", StringComparison.Ordinal) || line.StartsWith("| Poly", StringComparison.Ordinal)));
        Assert.Contains("(best)", table);
        Assert.Equal(1 + 3 * 60, File.ReadAllLines(outputs.CurvesCsv).Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(outputs.Plot)[..4]);
        Assert.Contains("\"best\"", File.ReadAllText(outputs.CurvesJson));
        Assert.Contains("Entropy floor", output.ToString());
        Assert.Empty(Directory.GetFiles(folder, "*.partial*"));
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentStepAndStillWritesTheOutputs()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var (results, outputs) = ExplorerRun.Execute(Tiny("GELU", "PolyNorm"), Console, cancellation.Token);

        Assert.Empty(results);
        Assert.True(File.Exists(outputs.Table) && File.Exists(outputs.CurvesCsv) && File.Exists(outputs.Plot));
    }

    [Fact]
    public void UnknownVariantListsTheKnownOnesAndWritesNothing()
    {
        var error = Assert.Throws<ExplorerException>(() => ExplorerRun.Execute(Tiny("PolyNorm", "Swish9"), Console, CancellationToken.None));

        Assert.Contains("Swish9", error.Message);
        Assert.Contains("SwiGLU, GELU, ReLU, ReLU2, PolyNorm, PolyReLU", error.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Theory]
    [InlineData("steps")]
    [InlineData("width")]
    [InlineData("batch")]
    public void NonPositiveSizesAreRejected(string which)
    {
        ExplorerOptions options = which switch
        {
            "steps" => Tiny("GELU") with { Steps = 0 },
            "width" => Tiny("GELU") with { Width = -4 },
            _ => Tiny("GELU") with { BatchSize = 0 },
        };
        var error = Assert.Throws<ExplorerException>(() => ExplorerRun.Execute(options, Console, CancellationToken.None));
        Assert.Contains("must be positive", error.Message);
    }

    [Fact]
    public void MissingOrEmptyCorpusIsReported()
    {
        Assert.Contains("does not exist", Assert.Throws<ExplorerException>(() =>
            ExplorerRun.Execute(Tiny("GELU") with { CorpusFile = Path.Combine(folder, "missing.txt") }, Console, CancellationToken.None)).Message);
        string empty = Path.Combine(folder, "empty.txt");
        File.WriteAllText(empty, "");
        Assert.Contains("0 bytes", Assert.Throws<ExplorerException>(() =>
            ExplorerRun.Execute(Tiny("GELU") with { CorpusFile = empty }, Console, CancellationToken.None)).Message);
    }

    [Fact]
    public void UnwritableOutputFolderIsReportedBeforeTraining()
    {
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "");
        var error = Assert.Throws<ExplorerException>(() =>
            ExplorerRun.Execute(Tiny("GELU") with { OutputFolder = Path.Combine(file, "out") }, Console, CancellationToken.None));
        Assert.Contains("cannot be written", error.Message);
    }

    [Fact]
    public void SyntheticCorpusIsDeterministicAndItsFloorIsBelowUniform()
    {
        Corpus first = Corpus.Synthetic(3), second = Corpus.Synthetic(3);
        Assert.Equal(first.Train, second.Train);
        Assert.InRange(first.EntropyFloor!.Value, 0.5, Math.Log(first.VocabularySize) - 0.5);
        Assert.NotEqual(first.Train, Corpus.Synthetic(4).Train);
    }
}
