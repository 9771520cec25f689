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
        var (results, _, outputs) = ExplorerRun.Execute(Tiny("SwiGLU", "PolyNorm", "PolyReLU"), Console, CancellationToken.None);

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
        string summary = table.Split("Learned activation parameters")[0];
        Assert.Equal(3, summary.Split('\n').Count(line => line.StartsWith("| Swi", StringComparison.Ordinal) || line.StartsWith("| Poly", StringComparison.Ordinal)));
        // Then the trained PolyComs' weights and biases, layer by layer (SwiGLU has none).
        Assert.Contains("| PolyNorm | 1 | weight |", table);
        Assert.DoesNotContain("| SwiGLU | 1 |", table);
        // One seed: no lead can be told from noise, so none is marked best, and the caption says why.
        Assert.DoesNotContain("(best)", table);
        Assert.Contains("One seed: no best marked", table);
        Assert.Equal(1 + 3 * 60, File.ReadAllLines(outputs.CurvesCsv).Length);
        Assert.Equal(1 + 3 + 2 + 2, File.ReadAllLines(outputs.RanksCsv).Length); // one layer: SwiGLU's up, gate, down; the others' up, down
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(outputs.LossPlot)[..4]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(outputs.RankPlot)[..4]);
        Assert.Contains("\"best\"", File.ReadAllText(outputs.Json));
        // Real text by default: the SDK's documentation, whose entropy no one knows.
        Assert.Contains("reference documentation", output.ToString());
        Assert.Contains("Uniform guessing", output.ToString());
        // The effective speedup over SwiGLU, from validation curves measured before the first step and every tenth of the run.
        Assert.Contains("| speedup vs SwiGLU |", table);
        Assert.All(results, r => Assert.Equal([0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60], r.ValidationCurve.Select(p => p.Step).ToArray()));
        Assert.All(results, r => Assert.Equal(r.ValidationLoss, r.ValidationCurve[^1].Loss));
        Assert.Contains("\"effectiveSpeedup\"", File.ReadAllText(outputs.Json));
        Assert.Empty(Directory.GetFiles(folder, "*.partial*"));
    }

    [Fact]
    public void SeveralSeedsGiveMeansAndSpreadsAndGatedVariantsTrainWithSwiGLUsParameters()
    {
        var report = ExplorerRun.Execute(Tiny("SwiGLU", "PolyNormGLU", "PolyReLUGLU", "PolyNorm") with { Seeds = 2, Steps = 30 }, Console, CancellationToken.None);

        Assert.Equal(8, report.Runs.Count);
        Assert.Equal(["SwiGLU", "PolyNormGLU", "PolyReLUGLU", "PolyNorm"], report.Summaries.Select(s => s.Variant).ToArray());
        var parameters = report.Summaries.ToDictionary(s => s.Variant, s => s.Parameters);
        // The gated FFNs have three matrices of width 2/3: as many parameters as SwiGLU, up to PolyCom's r + 1 per layer.
        Assert.Equal(parameters["SwiGLU"] + 4, parameters["PolyNormGLU"]);
        Assert.Equal(parameters["PolyNormGLU"], parameters["PolyReLUGLU"]);
        foreach (VariantSummary summary in report.Summaries)
        {
            Assert.Equal([0, 1], summary.Runs.Select(r => r.Seed).ToArray());
            Assert.NotEqual(summary.Runs[0].FinalTrainLoss, summary.Runs[1].FinalTrainLoss); // different initialisations
            Assert.Equal(2, summary.ValidationLoss.Count);
            Assert.True(summary.ValidationLoss.Deviation > 0);
            double[] validation = summary.Runs.Select(r => r.ValidationLoss).ToArray();
            Assert.Equal(validation.Average(), summary.ValidationLoss.Mean, 12);
            Assert.Equal(Math.Abs(validation[0] - validation[1]) / Math.Sqrt(2), summary.ValidationLoss.Deviation, 12);
            Assert.All(summary.Runs.SelectMany(r => r.Ranks), rank => Assert.InRange(rank.Mean, 1.0, 32.0));
        }
        string table = File.ReadAllText(report.Outputs.Table);
        Assert.Contains(" ± ", table);
        Assert.Contains("over 2 model seeds", table);
        Assert.Equal(1 + 8 * 30, File.ReadAllLines(report.Outputs.CurvesCsv).Length);
    }

    [Fact]
    public void TheBestIsMarkedOnlyWhereItsLeadExceedsTheSpread()
    {
        VariantResult Run(string name, int seed, double validation) =>
            new(name, seed, 100, [2.0], 2.0, validation, [new LayerRank(1, 10, null, 12)], 1000, TimeSpan.FromSeconds(1), true);
        ActivationVariant[] variants = [ActivationVariant.All[1], ActivationVariant.All[2]]; // GELU, ReLU
        var close = VariantSummary.Of([Run("GELU", 0, 1.00), Run("GELU", 1, 1.10), Run("ReLU", 0, 1.06), Run("ReLU", 1, 1.12)], variants);
        var apart = VariantSummary.Of([Run("GELU", 0, 1.00), Run("GELU", 1, 1.02), Run("ReLU", 0, 1.20), Run("ReLU", 1, 1.22)], variants);
        var single = VariantSummary.Of([Run("GELU", 0, 1.01), Run("ReLU", 0, 1.00)], variants);

        Assert.Equal(("GELU", false), VariantSummary.Best(close));
        Assert.Equal(("GELU", true), VariantSummary.Best(apart));
        Assert.Equal(("ReLU", false), VariantSummary.Best(single)); // one seed: no spread to measure a lead against
        Assert.Equal(11.0, close[0].Rank.Mean, 12);
    }

    [Fact]
    public void EffectiveRankIsTheExponentialOfTheSingularValueEntropy()
    {
        Assert.Equal(8.0, EffectiveRank.Of(TorchSharp.torch.eye(8)), 9);
        Assert.Equal(1.0, EffectiveRank.Of(TorchSharp.torch.ones(5, 7)), 9); // rank one
        Assert.Equal(2.0, EffectiveRank.Of(TorchSharp.torch.diag(TorchSharp.torch.tensor(new[] { 3.0, 3.0, 0.0, 0.0 }))), 9);
        // Singular values 3 and 1: p = (0.75, 0.25), exp(-(0.75 ln 0.75 + 0.25 ln 0.25)).
        double expected = Math.Exp(-(0.75 * Math.Log(0.75) + 0.25 * Math.Log(0.25)));
        Assert.Equal(expected, EffectiveRank.Of(TorchSharp.torch.diag(TorchSharp.torch.tensor(new[] { 1.0, -3.0 }))), 9);
        Assert.Equal(0.0, EffectiveRank.Of(TorchSharp.torch.zeros(3, 3)));
        Assert.Throws<ArgumentException>(() => EffectiveRank.Of(TorchSharp.torch.ones(3)));
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentStepAndStillWritesTheOutputs()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var (results, _, outputs) = ExplorerRun.Execute(Tiny("GELU", "PolyNorm"), Console, cancellation.Token);

        Assert.Empty(results);
        Assert.True(File.Exists(outputs.Table) && File.Exists(outputs.CurvesCsv) && File.Exists(outputs.LossPlot) && File.Exists(outputs.RankPlot));
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
    [InlineData("PolyNrom", "PolyNorm")]
    [InlineData("swiglu2", "SwiGLU")]
    [InlineData("PolyReLUGLUU", "PolyReLUGLU")]
    public void AMisspeltVariantGetsTheNearestName(string written, string meant)
    {
        var error = Assert.Throws<ExplorerException>(() => ActivationVariant.Select([written]));

        Assert.Contains($"'{written}' (did you mean {meant}?)", error.Message);
    }

    [Fact]
    public void AVariantNamedWithEqualsIsToldToUseAColon()
    {
        var error = Assert.Throws<PolyComGen.Samples.CommandLineException>(() =>
            PolyComGen.Samples.RunTimeActivations.Load(["MySwish = Activation(\"x * sigmoid(x)\")"], null, TextWriter.Null));

        Assert.Contains("write 'MySwish: Activation(\"x * sigmoid(x)\")'", error.Message);
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

    [SkippableFact]
    public void TheReadmesDefaultRunTableHasTheLossesOfTheDefaultRun()
    {
        // Three rows of the README's table (a baseline, a PolyCom and a gated PolyCom variant), trained as the default
        // run trains them: each variant's model, data and order depend on its seed alone, so three are enough to show
        // whether the table still belongs to the code. The tolerance leaves room for libtorch's own kernels, which
        // differ slightly between instruction sets (AVX2, AVX-512); a table from other settings is off by far more.
        string readme = File.ReadAllText(Support.RepositoryFiles.Path("README.md"));
        int start = readme.IndexOf("The default run on the 2-core build machine", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README no longer introduces the default run's table");
        // The default corpus is the running SDK's documentation: another SDK's is other text, and other losses.
        string corpus = Corpus.Open(null, 1).Description;
        var stated = System.Text.RegularExpressions.Regex.Match(readme[start..], @"Corpus: (\.NET [0-9.]+ reference documentation)");
        Assert.True(stated.Success, "the README's default run no longer names its corpus");
        Skip.IfNot(corpus.StartsWith(stated.Groups[1].Value, StringComparison.Ordinal), $"the README's table is of {stated.Groups[1].Value}; this machine's default corpus is {corpus}");
        var table = readme[start..].Split('\n').SkipWhile(l => !l.StartsWith("| variant", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(c => c[1].Replace(" (best)", ""), c => (Train: double.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture), Validation: double.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture)));

        var report = ExplorerRun.Execute(ExplorerOptions.Default with { Variants = ["ReLU", "PolyNorm", "PolyNormGLU"], OutputFolder = folder }, Console, CancellationToken.None);

        foreach (VariantSummary summary in report.Summaries)
        {
            var (train, validation) = table[summary.Variant];
            Assert.True(Math.Abs(summary.Runs[0].FinalTrainLoss - train) < 0.01 && Math.Abs(summary.Runs[0].ValidationLoss - validation) < 0.01,
                $"{summary.Variant}: the default run gives {summary.Runs[0].FinalTrainLoss:F3} / {summary.Runs[0].ValidationLoss:F3}, the README's table {train:F3} / {validation:F3}");
        }
    }

    [Fact]
    public void SyntheticCorpusIsDeterministicAndItsFloorIsBelowUniform()
    {
        Corpus first = Corpus.Synthetic(3), second = Corpus.Synthetic(3);
        Assert.Equal(first.Train, second.Train);
        Assert.InRange(first.EntropyFloor!.Value, 0.5, Math.Log(first.VocabularySize) - 0.5);
        Assert.NotEqual(first.Train, Corpus.Synthetic(4).Train);
    }

    [Fact]
    public void RedirectedOutputHasALinePerVariantEveryTenthOfItsStepsAndNoProgressBars()
    {
        ExplorerRun.Execute(Tiny("GELU", "PolyNorm"), Console, CancellationToken.None);

        string[] lines = output.ToString().Split('\n');
        var progress = lines.Where(l => l.Contains(" step ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * 10, progress.Count); // 60 steps: steps 6, 12 ... 60 of each variant
        Assert.Equal(10, progress.Count(l => l.StartsWith("GELU", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains('%'));
        Assert.True(lines.Length < 80, $"{lines.Length} lines of output");
    }
}

/// <summary>Tests that force garbage collections without pause, which no other test runs beside.</summary>
[CollectionDefinition(nameof(CollectingCollection), DisableParallelization = true)]
public sealed class CollectingCollection
{
}

/// <summary>The explorer's training under constant garbage collection.</summary>
[Collection(nameof(CollectingCollection))]
public sealed class ExplorerCollectionTests
{
    /// <summary>
    /// The optimizer under garbage-collector pressure (issue 34): TorchSharp's AdamW passed scalars that a finalizer could
    /// free during the native call, which failed inside AdamW.step on a loaded machine. The same trainings, once alone and
    /// once while another thread forces collections and runs finalizers without pause, give bitwise the same losses.
    /// Alone in its collection: its collections would expose, in tests running beside it, every temporary scalar that
    /// TorchSharp's operators pass to native code (a + 0.1, and a + b with its alpha of 1) to the same hazard.
    /// </summary>
    [Fact]
    public void TrainingUnderConstantCollectionsGivesBitwiseTheSameLosses()
    {
        var shape = new ModelShape(32, 2, 2, 32);
        var training = new TrainingOptions(120, 8, 3e-3, 1, TorchSharp.torch.CPU);
        Corpus corpus = Corpus.Synthetic(2);
        ActivationVariant[] variants = ActivationVariant.Select(["PolyNorm", "SwiGLU", "PolyReLUGLU"]).ToArray();
        double[][] Train() => variants.Select(v => Trainer.Train(v, corpus, shape, training, 0, (_, _, _) => { }, CancellationToken.None).TrainLoss.ToArray()).ToArray();

        double[][] quiet = Train();
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        double[][] collected;
        try
        {
            collected = Train();
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        for (int v = 0; v < variants.Length; v++)
        {
            Assert.Equal(quiet[v], collected[v]);
        }
    }
}
