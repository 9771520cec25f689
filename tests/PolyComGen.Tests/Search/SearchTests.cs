using System;
using System.IO;
using System.Linq;
using System.Threading;
using PolyComGen.Compiler;
using PolyComGen.Compiler.Search;
using PolyComGen.Samples.Search;
using Spectre.Console;
using Xunit;

namespace PolyComGen.Tests.Search;

/// <summary>The search's draws (seeded, deduplicated by canonical form) and its handling of failing candidates.</summary>
public sealed class SearchTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-search-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ASeedGivesTheSameCandidatesAndAnotherSeedOthers()
    {
        SearchCandidate[] Draw(int seed, int count)
        {
            var sampler = new ExpressionSampler(seed);
            return Enumerable.Range(0, count).Select(_ => sampler.Next()).ToArray();
        }

        Assert.Equal(Draw(7, 60), Draw(7, 60));
        Assert.NotEqual(Draw(7, 60).Select(c => c.Key), Draw(8, 60).Select(c => c.Key));
    }

    [Fact]
    public void EveryDrawnCandidateIsInTheLanguageAndCompiles()
    {
        var sampler = new ExpressionSampler(3);
        foreach (SearchCandidate candidate in Enumerable.Range(0, 12).Select(_ => sampler.Next()))
        {
            Assert.InRange(candidate.Order, 2, 4);
            Assert.InRange(candidate.Type, 1, 2);
            PolyComActivation activation = PolyComCompiler.Compile(candidate.Declaration);
            Assert.Equal(candidate.Order, activation.Spec.Order);
        }
    }

    [Theory]
    [InlineData("x * sigmoid(x)", "sigmoid(x) * x")]
    [InlineData("x * sigmoid(x)", "silu(x)")]
    [InlineData("tanh(x) + (x + relu(x))", "(relu(x) + tanh(x)) + x")]
    [InlineData("max(x, 2 * x)", "max(x * 2, x)")]
    [InlineData("norm(x * tanh(x))", "norm(tanh(x)*x)")]
    [InlineData("x - -x", "x + x")]
    public void EquivalentSpellingsHaveOneKey(string a, string b) =>
        Assert.Equal(ExpressionSampler.KeyOf(2, 3, a), ExpressionSampler.KeyOf(2, 3, b));

    [Theory]
    [InlineData("x - tanh(x)", "tanh(x) - x")]
    [InlineData("x * sigmoid(x)", "norm(x * sigmoid(x))")]
    [InlineData("x / (1 + x)", "(1 + x) / x")]
    public void DifferentFunctionsHaveDifferentKeys(string a, string b) =>
        Assert.NotEqual(ExpressionSampler.KeyOf(2, 3, a), ExpressionSampler.KeyOf(2, 3, b));

    [Fact]
    public void TheKeyIncludesTypeAndOrderAndRejectsWhatIsNotAnInnerFunction()
    {
        Assert.NotEqual(ExpressionSampler.KeyOf(1, 3, "tanh(x)"), ExpressionSampler.KeyOf(2, 3, "tanh(x)"));
        Assert.NotEqual(ExpressionSampler.KeyOf(1, 3, "tanh(x)"), ExpressionSampler.KeyOf(1, 4, "tanh(x)"));
        Assert.Null(ExpressionSampler.KeyOf(1, 3, "tanh(2)"));
        Assert.Null(ExpressionSampler.KeyOf(1, 3, "tanh(x"));
    }

    [Fact]
    public void TheSamplerNeverGivesTwoSpellingsOfOneCandidate()
    {
        var sampler = new ExpressionSampler(1);
        var keys = Enumerable.Range(0, 400).Select(_ => sampler.Next().Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(sampler.Duplicates > 0, "400 draws from a small grammar should have met a spelling twice");
    }

    [Fact]
    public void APlantedCandidateThatDivergesOrDoesNotCompileIsRecordedWithTheReasonAndSkipped()
    {
        const string diverges = "PolyCom(Order = 3, Inner = \"exp(100 * x)\", Type = 1)";
        const string misspelt = "PolyCom(Order = 3, Inner = \"tanh(y)\", Type = 1)";
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        SearchOptions options = SearchOptions.Default with
        {
            Minutes = 0.2, Seed = 4, Steps = 45, Width = 16, Layers = 1, Heads = 2, SequenceLength = 16, BatchSize = 4, Seeds = 2, Top = 1,
            OutputFolder = folder, Planted = [diverges, misspelt],
        };

        SearchReport report = SearchRun.Execute(options, console, CancellationToken.None);

        SearchRecord diverged = Assert.Single(report.Records, r => r.Name == "P1");
        Assert.Equal((SearchRecord.Diverged, "rung 0"), (diverged.Status, diverged.Stage));
        Assert.Contains("non-finite", diverged.Reason);
        SearchRecord failed = Assert.Single(report.Records, r => r.Name == "P2");
        Assert.Equal(SearchRecord.CompileError, failed.Status);
        Assert.Contains("PCG0015", failed.Reason);
        // Neither goes further; drawn candidates do, and the final table has the baselines and a winner.
        Assert.DoesNotContain(report.Records, r => r.Name is "P1" or "P2" && r.Stage != "rung 0");
        Assert.Contains(report.Records, r => r.Stage == "rung 2" && r.Succeeded);
        Assert.Equal(["PolyNorm", "PolyReLU", "SwiGLU"], report.Final.Select(s => s.Variant).Where(n => !n.StartsWith('C')).Order());
        Assert.All(report.Final, s => Assert.Equal(2, s.Runs.Count));
        string table = File.ReadAllText(report.Outputs.Table);
        Assert.Contains("1 compile error, ", table);
        Assert.Contains("diverged", table);
        Assert.Contains("P1,rung 0,", File.ReadAllText(report.Outputs.CandidatesCsv));
        Assert.Contains("[PolyCom(", File.ReadAllText(report.Outputs.Winners));
        Assert.True(File.Exists(report.Outputs.Plot));

        // Resumed from its folder, the search trains none of the recorded runs again.
        SearchReport resumed = SearchRun.Execute(options with { Resume = true, Minutes = 0.05 }, console, CancellationToken.None);
        foreach (SearchRecord record in report.Records)
        {
            Assert.Single(resumed.Records, r => r.Key == record.Key && r.Steps == record.Steps && r.Seed == record.Seed);
        }
        SearchRecord first = report.Records.First(r => r.Name == "C001"), again = resumed.Records.First(r => r.Name == "C001");
        Assert.Equal((first.ValidationLoss, first.Seconds), (again.ValidationLoss, again.Seconds)); // the recorded run, not a new one
        Assert.Equal(first.TrainLoss, again.TrainLoss);
    }
}
