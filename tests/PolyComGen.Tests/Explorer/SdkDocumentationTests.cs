using System;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PolyComGen.Samples.Explorer;
using Xunit;

namespace PolyComGen.Tests.Explorer;

/// <summary>The explorer's default real text: the .NET SDK's reference documentation, as prose.</summary>
public sealed class SdkDocumentationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-sdkdocs-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string xml)
    {
        string path = Path.Combine(folder, "Sample.xml");
        File.WriteAllText(path, xml, new UTF8Encoding(true));
        return path;
    }

    [Fact]
    public void AMembersDocumentationBecomesItsProseWithReferencesByNameAndNoTags()
    {
        string path = Write("""
            <?xml version="1.0" encoding="utf-8"?>
            <doc>
              <assembly><name>Sample</name></assembly>
              <members>
                <member name="M:System.Collections.BitArray.#ctor(System.Boolean[])">
                  <summary>Initializes a new instance of the <see cref="T:System.Collections.BitArray" /> class that
                  contains bit values copied from the specified array of <see cref="T:System.Collections.Generic.List`1" />.</summary>
                  <param name="values">An array of Booleans to copy.</param>
                  <exception cref="T:System.ArgumentNullException">
                    <paramref name="values" /> is <see langword="null" />.</exception>
                </member>
                <member name="T:System.Empty">
                  <summary>   </summary>
                </member>
                <member name="P:System.Thing.Count">
                  <summary>Gets the count.</summary>
                  <remarks><para>First paragraph.</para><para>Second, see <see cref="M:System.String.Join(System.String,System.String[])" />.</para></remarks>
                </member>
              </members>
            </doc>
            """);

        var documents = SdkDocumentation.Documents(path).ToList();

        Assert.Equal(2, documents.Count); // the member with no text is no document
        Assert.Equal("M:System.Collections.BitArray.#ctor(System.Boolean[])", documents[0].Member);
        Assert.Equal(
            "Initializes a new instance of the BitArray class that contains bit values copied from the specified array of List. "
            + "An array of Booleans to copy. values is null.",
            documents[0].Text);
        Assert.Equal("Gets the count. First paragraph. Second, see Join.", documents[1].Text);
        Assert.All(documents, d => Assert.DoesNotContain('<', d.Text));
    }

    [Fact]
    public void DocumentsSplitWholeIntoTrainAndValidationByTheirNameAlone()
    {
        var documents = Enumerable.Range(0, 400).Select(i => ($"M:N.T.Method{i}", $"Document {i} text.")).ToList();

        var (train, validation) = SdkDocumentation.Split(documents);
        var (trainAgain, _) = SdkDocumentation.Split(documents.AsEnumerable().Reverse().Reverse());
        string[] trainLines = train.Split('\n', StringSplitOptions.RemoveEmptyEntries), validationLines = validation.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(train, trainAgain);
        Assert.Equal(400, trainLines.Length + validationLines.Length);
        Assert.Empty(trainLines.Intersect(validationLines)); // a document is in one part, whole
        Assert.InRange(validationLines.Length, 20, 60);       // about one in ten
    }

    [Fact]
    public void TheDefaultCorpusIsTheSdksDocumentationExtractedOnceAndCached()
    {
        string? docs = SdkDocumentation.Find(out string reason);
        Assert.True(docs is not null, reason); // this project builds with the .NET SDK, which ships it

        Corpus first = SdkDocumentation.Load(docs!, folder);
        Assert.Equal(2, Directory.GetFiles(folder).Length);
        Corpus second = SdkDocumentation.Load(docs!, folder);

        Assert.Equal(256, first.VocabularySize);
        Assert.True(first.Train.Length > 5_000_000 && first.Validation.Length > 500_000, first.Description);
        Assert.Equal(first.Train, second.Train);
        string sample = Encoding.UTF8.GetString(first.Validation.Take(200_000).Select(b => (byte)b).ToArray());
        Assert.DoesNotContain("<see ", sample, StringComparison.Ordinal);
        Assert.DoesNotContain("<summary>", sample, StringComparison.Ordinal);
        Assert.Contains(" the ", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkovNamesTheSyntheticChainAndAMissingFileIsAClearError()
    {
        Assert.StartsWith("synthetic second-order Markov chain", Corpus.Open("markov", 1).Description, StringComparison.Ordinal);
        var error = Assert.Throws<ExplorerException>(() => Corpus.Open(Path.Combine(folder, "missing.txt"), 1));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>The effective speedup, on curves with a known answer.</summary>
public sealed class EffectiveSpeedupTests
{
    // A loss curve measured every 100 steps: loss(step) = 1 + 4 / (1 + step / 100 * rate).
    private static CurvePoint[] Curve(double rate, int steps = 1000) =>
        Enumerable.Range(0, steps / 100 + 1).Select(k => new CurvePoint(k * 100, 1 + 4 / (1 + k * rate))).ToArray();

    [Fact]
    public void ACurveThatRunsAFactorFasterHasThatSpeedupAndItsInverseTheOther()
    {
        // The variant's loss at step s is the baseline's at 2 s: it reaches the baseline's final loss in half the steps.
        CurvePoint[] baseline = Curve(1), variant = Curve(2);

        Assert.Equal(2.0, EffectiveSpeedup.Of(baseline, variant), 2);
        Assert.Equal(0.5, EffectiveSpeedup.Of(variant, baseline), 2);
        Assert.Equal(1.0, EffectiveSpeedup.Of(baseline, baseline), 12);
    }

    [Fact]
    public void StepsAreInterpolatedBetweenMeasurementsAndNeverReachingIsInfinite()
    {
        CurvePoint[] curve = [new(0, 5), new(100, 3), new(200, 2)];

        Assert.Equal(50, EffectiveSpeedup.StepsToReach(curve, 4), 12);
        Assert.Equal(150, EffectiveSpeedup.StepsToReach(curve, 2.5), 12);
        Assert.Equal(0, EffectiveSpeedup.StepsToReach(curve, 6), 12);
        Assert.True(double.IsPositiveInfinity(EffectiveSpeedup.StepsToReach(curve, 1)));
        Assert.True(double.IsNaN(EffectiveSpeedup.Of([], curve)));
    }
}

/// <summary>The scaling ladder: its sizes and its report.</summary>
public sealed class LadderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-ladder-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void EachWidthTrainsWithTheSameTokensPerParameterAndScaledHeads()
    {
        var options = ExplorerOptions.Default with
        {
            Variants = ["SwiGLU", "PolyNorm"], Steps = 20, Width = 16, Layers = 1, Heads = 2, SequenceLength = 16, BatchSize = 4, OutputFolder = folder,
            CorpusFile = Corpus.MarkovName,
        };
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()), Interactive = Spectre.Console.InteractionSupport.No });

        IReadOnlyList<LadderRung> rungs = ExplorerLadder.Execute(options, [16, 32], console, System.Threading.CancellationToken.None);

        Assert.Equal([16, 32], rungs.Select(r => r.Width).ToArray());
        Assert.Equal([2, 4], rungs.Select(r => r.Heads).ToArray()); // head size 8 at both
        Assert.Equal(20, rungs[0].Steps);
        Assert.Equal(Math.Round(20.0 * rungs[1].Parameters / rungs[0].Parameters), rungs[1].Steps);
        Assert.True(rungs[1].Parameters > 2 * rungs[0].Parameters);
        Assert.All(rungs, r => Assert.Equal(r.Steps, r.Report.Runs[0].TrainLoss.Count));
        Assert.All(rungs, r => Assert.Equal(r.Parameters, r.Report.Summaries.Single(s => s.Variant == "SwiGLU").Parameters));
        string table = File.ReadAllText(Path.Combine(folder, "ladder.md"));
        Assert.Contains("| PolyNorm |", table);
        Assert.Contains("trend per doubling", table);
        Assert.True(File.Exists(Path.Combine(folder, "width-16", "results.md")) && File.Exists(Path.Combine(folder, "width-32", "results.md")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(folder, "ladder.png"))[..4]);
    }

    [Fact]
    public void TheTrendIsTheLeastSquaresSlope()
    {
        Assert.Equal(0.5, ExplorerLadder.Slope([1, 2, 3], [1.0, 1.5, 2.0]), 12);
        Assert.True(double.IsNaN(ExplorerLadder.Slope([1], [1.0])));
        Assert.Throws<ExplorerException>(() => ExplorerLadder.Execute(ExplorerOptions.Default, [64], Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()) }), System.Threading.CancellationToken.None));
    }
}
