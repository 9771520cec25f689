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

    // A search small enough for a test: width 16 (transfer width 32), one layer, 45-step final runs.
    private SearchOptions Tiny => SearchOptions.Default with
    {
        Minutes = 3, Seed = 4, Steps = 45, Width = 16, Layers = 1, Heads = 2, SequenceLength = 16, BatchSize = 4, Seeds = 2, Top = 1,
        OutputFolder = folder,
    };

    private static IAnsiConsole Quiet => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    [Fact]
    public void APlantedCandidateThatDivergesOrDoesNotCompileIsRecordedWithTheReasonAndSkipped()
    {
        const string diverges = "PolyCom(Order = 3, Inner = \"exp(100 * x)\", Type = 1)";
        const string misspelt = "PolyCom(Order = 3, Inner = \"tanh(y)\", Type = 1)";
        SearchOptions options = Tiny with { Candidates = 4, Planted = [diverges, misspelt] };

        SearchReport report = SearchRun.Execute(options, Quiet, CancellationToken.None);

        SearchRecord diverged = Assert.Single(report.Records, r => r.Name == "P1");
        Assert.Equal((SearchRecord.Diverged, "rung 0"), (diverged.Status, diverged.Stage));
        Assert.Contains("non-finite", diverged.Reason);
        Assert.DoesNotContain('\n', diverged.Reason!); // the libtorch error's first line, not its native stack trace
        SearchRecord failed = Assert.Single(report.Records, r => r.Name == "P2");
        Assert.Equal(SearchRecord.CompileError, failed.Status);
        Assert.Contains("PCG0015", failed.Reason);
        // Neither goes further; drawn candidates do (four drawn, as told), and the final runs have the baselines and a
        // winner at both widths, with both seeds.
        Assert.DoesNotContain(report.Records, r => r.Name is "P1" or "P2" && r.Stage != "rung 0");
        Assert.Equal(4, report.Records.Count(r => r.Stage == "rung 0" && r.Name.StartsWith('C')));
        Assert.Contains(report.Records, r => r.Stage == "rung 2" && r.Succeeded);
        Assert.Equal(["PolyNorm", "SwiGLU"], report.Final.Select(s => s.Variant).Where(n => !n.StartsWith('C')).Order());
        Assert.All(report.Final.Concat(report.Transfer), s => Assert.Equal(2, s.Runs.Count));
        Assert.Equal(report.Final.Select(s => s.Variant).Order(), report.Transfer.Select(s => s.Variant).Order());
        Assert.All(report.Records.Where(r => r.Stage is "final" or "baseline"), r => Assert.Contains(r.Width, new[] { 16, 32 }));
        string table = File.ReadAllText(report.Outputs.Table);
        Assert.Contains("1 compile error, ", table);
        Assert.Contains("diverged", table);
        Assert.Contains("width 32: validation loss", table);
        Assert.Contains("P1,rung 0,16,", File.ReadAllText(report.Outputs.CandidatesCsv));
        Finalist finalist = Assert.Single(report.Finalists);
        Assert.Contains(finalist.Holds ? "[PolyCom(" : "// Dropped", File.ReadAllText(report.Outputs.Winners));
        Assert.True(File.Exists(report.Outputs.Plot));

        // Resumed from its folder, the search trains none of the recorded runs again.
        SearchReport resumed = SearchRun.Execute(options with { Resume = true }, Quiet, CancellationToken.None);
        foreach (SearchRecord record in report.Records)
        {
            Assert.Single(resumed.Records, r => r.Key == record.Key && r.Steps == record.Steps && r.Seed == record.Seed && r.Width == record.Width);
        }
        SearchRecord first = report.Records.First(r => r.Name == "C001"), again = resumed.Records.First(r => r.Name == "C001");
        Assert.Equal((first.ValidationLoss, first.Seconds), (again.ValidationLoss, again.Seconds)); // the recorded run, not a new one
        Assert.Equal(first.TrainLoss, again.TrainLoss);
        Assert.Equal(first.ValidationCurve, again.ValidationCurve);
    }

    [Fact]
    public void ASeededSearchOnRealTextPromotesOnlyTheCandidatesWhoseLeadOverSwiGLUHoldsAtBothWidths()
    {
        // 19 candidates leave 3 after the last rung; each is retrained with 2 seeds at widths 16 and 32.
        SearchReport report = SearchRun.Execute(Tiny with { Candidates = 19, Top = 3 }, Quiet, CancellationToken.None);

        string table = File.ReadAllText(report.Outputs.Table);
        Assert.Contains("reference documentation", table); // the default corpus: the SDK's documentation
        Assert.Equal(3, report.Finalists.Count);
        string winners = File.ReadAllText(report.Outputs.Winners);
        foreach (Finalist finalist in report.Finalists)
        {
            // The rule, recomputed from the runs: seed k against SwiGLU's seed k, at each width.
            bool Leads(System.Collections.Generic.IReadOnlyList<Samples.Explorer.VariantSummary> runs)
            {
                var variant = runs.Single(s => s.Variant == finalist.Name).Runs;
                var swiglu = runs.Single(s => s.Variant == "SwiGLU").Runs;
                Assert.Equal(variant.Select(r => r.Seed), swiglu.Select(r => r.Seed));
                return variant.Zip(swiglu, (v, b) => Samples.Explorer.EffectiveSpeedup.Of(b.ValidationCurve, v.ValidationCurve)).Average() > 1;
            }
            Assert.Equal(Leads(report.Final) && Leads(report.Transfer), finalist.Holds);
            Assert.Equal([16, 32], finalist.Widths.Select(w => w.Width));
            Assert.All(finalist.Widths, w => Assert.Equal(["PolyNorm", "SwiGLU"], w.SpeedupOver.Keys.Order()));
            // winners.cs declares the ones that hold and names the others in a comment.
            string line = winners.Split('\n').Single(l => l.Contains(finalist.Declaration, StringComparison.Ordinal));
            Assert.Equal(finalist.Holds, line.StartsWith('['));
            Assert.Contains($"| {(finalist.Holds ? "yes" : "no")} |", table.Split('\n').First(l => l.StartsWith($"| {finalist.Name} |", StringComparison.Ordinal))); // (the final table comes first)
        }
    }

    [Fact]
    public void ABudgetTooSmallForTheSmallestSearchIsRefusedWithTheSmallestThatWorks()
    {
        var error = Assert.Throws<Samples.Explorer.ExplorerException>(() => SearchRun.Execute(Tiny with { Minutes = 0.01 }, Quiet, CancellationToken.None));

        Assert.Contains("--minutes 0.01 is too small", error.Message);
        Assert.Matches(@"Give --minutes [0-9.]+ or more", error.Message);
        Assert.Empty(Directory.GetFiles(folder)); // nothing trained, nothing written
    }

    [Fact]
    public void ASearchEndsWithinItsBudget()
    {
        // Half a minute, or the smallest the machine allows when that is more (a loaded machine is slower).
        SearchOptions options = Tiny with { Minutes = 0.5 };
        try
        {
            SearchRun.Execute(options with { Minutes = 0.01 }, Quiet, CancellationToken.None);
        }
        catch (Samples.Explorer.ExplorerException e)
        {
            double smallest = double.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"Give --minutes ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            options = options with { Minutes = Math.Max(options.Minutes, smallest) };
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();

        SearchReport report = SearchRun.Execute(options, Quiet, CancellationToken.None);

        Assert.InRange(clock.Elapsed.TotalSeconds, 0, options.Minutes * 60 + 5);
        Assert.True(report.Records.Count(r => r.Stage == "rung 0") >= SearchPlan.MinimumCandidates);
        Assert.NotEmpty(report.Final);
    }
}

/// <summary>The search's budget arithmetic and its transfer rule, on numbers with known answers.</summary>
public sealed class SearchPlanTests
{
    private static readonly RunCost[] Costs = [new(0.01, 0.5), new(0.03, 1.0)];

    [Fact]
    public void TheMinimumIsThreeCandidatesThroughTheRungsThenTheBestAndTheBaselinesAtBothWidths()
    {
        SearchOptions options = SearchOptions.Default with { Seeds = 2 };
        // Rungs of 10, 30, 90 steps for 3, 1, 1 candidates at 1.5x PolyNorm's cost; then (2 baselines + 1.5) x 2 seeds at 90 steps, both widths.
        double rungs = 1.5 * (3 * (0.5 + 0.1) + (0.5 + 0.3) + (0.5 + 0.9));
        double final = 2 * 3.5 * ((0.5 + 0.9) + (1.0 + 2.7));

        Assert.Equal(rungs + final, SearchPlan.MinimumSeconds(options, Costs, 1.5), 9);
        Assert.Equal([10, 30, 90], SearchPlan.For(90).RungSteps);
        Assert.Equal([44, 133, 400], SearchPlan.For(400).RungSteps);
    }

    [Theory]
    [InlineData(10_000.0)]
    [InlineData(200.0)]
    [InlineData(60.0)]
    [InlineData(1.0)]
    public void TheFinalRunsAreTheLongestThatFitAndNeverShorterThanTheLastRungsShortest(double seconds)
    {
        SearchPlan plan = SearchPlan.Fit(400, seconds, top: 3, seeds: 3, Costs, 1.2);
        double Final(int steps) => SearchPlan.For(steps).FinalSeconds(3, SearchOptions.Baselines.Count, 3, Costs, 1.2);

        Assert.InRange(plan.FinalSteps, SearchPlan.MinimumFinalSteps, 400);
        if (plan.FinalSteps == SearchPlan.MinimumFinalSteps)
        {
            Assert.True(Final(SearchPlan.MinimumFinalSteps + 1) > seconds);
        }
        else if (plan.FinalSteps < 400)
        {
            Assert.True(Final(plan.FinalSteps) <= seconds && Final(plan.FinalSteps + 1) > seconds);
        }
        else
        {
            Assert.True(Final(400) <= seconds);
        }
        Assert.Equal(45, SearchPlan.Fit(45, 0, 3, 3, Costs, 1.2).FinalSteps); // never longer than asked
    }

    // A loss curve measured every 100 steps that falls `rate` times as fast as the reference.
    private static Samples.Explorer.CurvePoint[] Curve(double rate) =>
        Enumerable.Range(0, 11).Select(k => new Samples.Explorer.CurvePoint(k * 100, 1 + 4 / (1 + k * rate))).ToArray();

    private static Samples.Explorer.VariantSummary Runs(string name, params double[] rates) => new(name, name,
        rates.Select((rate, seed) => new Samples.Explorer.VariantResult(name, seed, 0, [], 0, Curve(rate)[^1].Loss, [], 0, TimeSpan.Zero, true)
        {
            ValidationCurve = Curve(rate),
        }).ToList());

    [Fact]
    public void ALeadHoldsOnlyWhenTheMeanSpeedupOverTheFirstBaselineIsAboveOneAtEveryWidth()
    {
        var variants = new[] { "Holds", "FadesAtTheLargerWidth", "MissingAtTheLargerWidth" }
            .Select(n => new Samples.Explorer.ActivationVariant(n, n, false, () => throw new InvalidOperationException(), $"PolyCom(... {n})")).ToList();
        System.Collections.Generic.IReadOnlyList<Samples.Explorer.VariantSummary> narrow =
            [Runs("SwiGLU", 1, 1), Runs("PolyNorm", 2, 2), Runs("Holds", 2, 2), Runs("FadesAtTheLargerWidth", 2, 2), Runs("MissingAtTheLargerWidth", 2, 2)];
        System.Collections.Generic.IReadOnlyList<Samples.Explorer.VariantSummary> wide =
            [Runs("SwiGLU", 1, 1), Runs("PolyNorm", 1, 1), Runs("Holds", 1.5, 1.5), Runs("FadesAtTheLargerWidth", 0.5, 1.2)];

        var finalists = Finalist.Check([64, 128], [narrow, wide], variants, ["SwiGLU", "PolyNorm"]);

        Assert.Equal([true, false, false], finalists.Select(f => f.Holds));
        Assert.Equal(2.0, finalists[0].Widths[0].SpeedupOver["SwiGLU"].Mean, 2);
        Assert.Equal(1.0, finalists[0].Widths[0].SpeedupOver["PolyNorm"].Mean, 2);
        Assert.InRange(finalists[0].Widths[1].SpeedupOver["SwiGLU"].Mean, 1.45, 1.55); // (read between measurements)
        // (0.5 + 1.2) / 2 < 1: one seed ahead is not a lead that holds.
        Assert.InRange(finalists[1].Widths[1].SpeedupOver["SwiGLU"].Mean, 0.8, 0.9);
        Assert.Single(finalists[2].Widths);
    }
}
