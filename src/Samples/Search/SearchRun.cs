using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using PolyComGen.Compiler;
using PolyComGen.Compiler.Search;
using PolyComGen.Samples.Explorer;
using Spectre.Console;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Search;

/// <summary>The files a search wrote.</summary>
public sealed record SearchOutputs(string Table, string Plot, string CandidatesCsv, string CandidatesJson, string Winners);

/// <summary>What a search trained: every run, the final summaries (winners and baselines), the files.</summary>
public sealed record SearchReport(IReadOnlyList<SearchRecord> Records, IReadOnlyList<VariantSummary> Final, SearchOutputs Outputs);

/// <summary>
/// <c>polycom search</c>: draws PolyComs from the expression language (<see cref="ExpressionSampler"/>), compiles each
/// at run time and trains it on the explorer's task with successive halving (many short runs, then the best third
/// three times as long, twice), then retrains the best few with several seeds beside SwiGLU, PolyNorm and PolyReLU
/// trained the same way. A candidate that fails to compile, diverges or runs past its time limit is recorded with the
/// reason and dropped. The budget decides how many candidates are drawn: drawing stops when the later rungs and the
/// final runs would no longer fit. Every run is written to the results folder as it finishes, and a search resumed
/// from that folder trains none of them again.
/// </summary>
public sealed class SearchRun
{
    private const string StateFile = "candidates.json";
    private const double CompileLimitSeconds = 30;
    private const double Margin = 1.5; // a candidate's step may cost this much more than PolyNorm's

    private readonly SearchOptions _options;
    private readonly IAnsiConsole _console;
    private readonly CancellationToken _cancellation;
    private readonly Dictionary<string, SearchRecord> _done = new(StringComparer.Ordinal);
    private readonly List<SearchRecord> _records = [];
    private readonly Stopwatch _clock = new();
    private Corpus _corpus = null!;
    private ModelShape _shape = null!;
    private TrainingOptions _training = null!;
    private double _secondsPerStep;

    private SearchRun(SearchOptions options, IAnsiConsole console, CancellationToken cancellation)
    {
        _options = options;
        _console = console;
        _cancellation = cancellation;
    }

    /// <summary>Runs a search with <paramref name="options"/>, printing progress on <paramref name="console"/>.</summary>
    /// <exception cref="ExplorerException">An option cannot be used (checked before anything trains).</exception>
    public static SearchReport Execute(SearchOptions options, IAnsiConsole console, CancellationToken cancellation) =>
        new SearchRun(options, console, cancellation).Run();

    /// <summary>Rung r's steps: the full run's divided by 3 for each rung still to come, and at least 10 * 3^r (each rung longer than the one before).</summary>
    public static int RungSteps(int steps, int rung) =>
        Math.Max(10 * (int)Math.Pow(SearchOptions.Reduction, rung), steps / (int)Math.Pow(SearchOptions.Reduction, SearchOptions.Rungs - 1 - rung));

    private SearchReport Run()
    {
        Check();
        _clock.Start();
        double budget = _options.Minutes * 60;
        _corpus = Corpus.Open(_options.CorpusFile, _options.Seed + 1);
        if (_corpus.Train.Length <= _options.SequenceLength + 1 || _corpus.Validation.Length <= _options.SequenceLength + 1)
        {
            throw new ExplorerException($"The corpus is too short for --seq {_options.SequenceLength}.");
        }
        _shape = new ModelShape(_options.Width, _options.Layers, _options.Heads, _options.SequenceLength);
        if (_options.Resume)
        {
            Load();
        }

        // Calibrate: PolyNorm's seconds per step at the first rung's length, after a warm-up that pays the process's
        // one-time costs (libtorch's thread pools, the JIT of the training loop).
        ActivationVariant reference = ActivationVariant.Select(["PolyNorm"])[0];
        int calibration = RungSteps(_options.Steps, 0);
        _training = new TrainingOptions(calibration, _options.BatchSize, _options.LearningRate, _options.Seed, CPU);
        Trainer.WarmUp(reference, _corpus, _shape, _training);
        var timer = Stopwatch.StartNew();
        Trainer.Train(reference, _corpus, _shape, _training, _options.Seed, (_, _, _) => { }, _cancellation);
        _secondsPerStep = timer.Elapsed.TotalSeconds / calibration;

        // The final runs (best candidates and baselines, every seed, full length) get at most 60% of the budget.
        int runs = (_options.Top + SearchOptions.Baselines.Count) * _options.Seeds;
        int steps = _options.Steps;
        if (runs * steps * _secondsPerStep * Margin > 0.6 * budget)
        {
            steps = Math.Max(RungSteps(0, SearchOptions.Rungs - 1), (int)(0.6 * budget / (runs * _secondsPerStep * Margin)));
        }
        int[] rungSteps = Enumerable.Range(0, SearchOptions.Rungs).Select(r => RungSteps(steps, r)).ToArray();
        _console.MarkupLine($"[bold]PolyComGen search[/] (seed {_options.Seed}, budget {_options.Minutes:0.##} min): {Markup.Escape(_corpus.Description)}.");
        _console.MarkupLine($"Model: width {_shape.Width}, {_shape.Layers} layers, {_shape.Heads} heads, sequence {_shape.SequenceLength}, batch {_options.BatchSize}, lr {_options.LearningRate}; " +
                            $"PolyNorm trains at {_secondsPerStep * 1000:F1} ms/step. Rungs of {string.Join(", ", rungSteps)} steps, each keeping the best third; " +
                            $"then the best {_options.Top} and {string.Join(", ", SearchOptions.Baselines)} with {_options.Seeds} seed(s) at {steps} steps.");
        if (steps != _options.Steps)
        {
            _console.MarkupLine($"[yellow]The budget holds the final runs at {steps} steps, not {_options.Steps}.[/]");
        }

        // Rung 0: the planted candidates, then drawn ones while the later rungs and the final runs still fit.
        var sampler = new ExpressionSampler(_options.Seed);
        var candidates = new List<(string Name, SearchCandidate Candidate)>();
        var rung = new List<(string Name, SearchCandidate Candidate, SearchRecord Record)>();
        // A candidate's step costs what the first rung measured (its training time over its steps), PolyNorm's times
        // the margin until five have trained.
        double candidateStep() => rung.Count(c => c.Record.Steps > 0 && c.Record.Seconds > 0) < 5
            ? _secondsPerStep * Margin
            : rung.Sum(c => c.Record.Seconds) / rung.Where(c => c.Record.Seconds > 0).Sum(c => c.Record.Steps);
        double rungCost(int n) => Enumerable.Range(1, SearchOptions.Rungs - 1).Sum(r => Survivors(n, r) * rungSteps[r] * candidateStep());
        double finalRuns() => (_options.Top * candidateStep() + SearchOptions.Baselines.Count * _secondsPerStep) * _options.Seeds * steps;
        var rungClock = Stopwatch.StartNew();
        for (int i = 0; !_cancellation.IsCancellationRequested; i++)
        {
            (string Name, SearchCandidate Candidate) next;
            if (i < _options.Planted.Count)
            {
                next = ($"P{i + 1}", Planted(_options.Planted[i]));
            }
            else
            {
                double perCandidate = rung.Count == 0 ? rungSteps[0] * _secondsPerStep * Margin : rungClock.Elapsed.TotalSeconds / rung.Count;
                bool fits = _clock.Elapsed.TotalSeconds + perCandidate + rungCost(rung.Count + 1) + finalRuns() <= budget;
                if (!fits && rung.Count(r => r.Record.Succeeded) >= SearchOptions.Reduction)
                {
                    break;
                }
                if (!fits && _clock.Elapsed.TotalSeconds > budget)
                {
                    break; // not even three candidates fit: report what there is
                }
                next = ($"C{candidates.Count(c => c.Name.StartsWith('C')) + 1:000}", sampler.Next());
            }
            candidates.Add(next);
            rung.Add((next.Name, next.Candidate, Evaluate(next.Name, next.Candidate, "rung 0", rungSteps[0], _options.Seed)));
        }

        // The later rungs: the best third of the one before, three times as long.
        var survivors = rung;
        for (int r = 1; r < SearchOptions.Rungs && !_cancellation.IsCancellationRequested; r++)
        {
            int keep = Survivors(rung.Count, r);
            survivors = survivors.Where(s => s.Record.Succeeded).OrderBy(s => s.Record.ValidationLoss).Take(keep)
                .Select(s => (s.Name, s.Candidate, Evaluate(s.Name, s.Candidate, $"rung {r}", rungSteps[r], _options.Seed))).ToList();
        }

        // The final runs: the best few and the baselines, every seed, at full length.
        var winners = survivors.Where(s => s.Record.Succeeded).OrderBy(s => s.Record.ValidationLoss).Take(_options.Top).ToList();
        var results = new List<VariantResult>();
        var variants = new List<ActivationVariant>();
        foreach (string baseline in SearchOptions.Baselines)
        {
            ActivationVariant variant = ActivationVariant.Select([baseline])[0];
            variants.Add(variant);
            results.AddRange(FinalRuns(variant, variant.Name, "baseline", steps));
        }
        foreach (var (name, candidate, _) in winners)
        {
            if (Compile(name, candidate, out ActivationVariant? variant, out _, out _))
            {
                variants.Add(variant!);
                results.AddRange(FinalRuns(variant!, candidate.Key, "final", steps));
            }
        }
        IReadOnlyList<VariantSummary> final = VariantSummary.Of(results, variants).Where(s => s.Runs.Count > 0).ToList();
        SearchOutputs outputs = Write(final, variants, sampler.Duplicates, steps, rungSteps);
        _console.Write(new Markup(Markup.Escape(File.ReadAllText(outputs.Table))));
        _console.MarkupLine($"Wrote {Markup.Escape(outputs.Table)}, {Markup.Escape(outputs.Plot)}, {Markup.Escape(outputs.CandidatesCsv)}, {Markup.Escape(outputs.CandidatesJson)} and {Markup.Escape(outputs.Winners)}.");
        return new SearchReport(_records, final, outputs);
    }

    private void Check()
    {
        SearchOptions o = _options;
        foreach (var (name, value) in new[] { ("--steps", o.Steps), ("--width", o.Width), ("--layers", o.Layers), ("--heads", o.Heads), ("--seq", o.SequenceLength), ("--batch", o.BatchSize), ("--seeds", o.Seeds), ("--top", o.Top) })
        {
            if (value <= 0)
            {
                throw new ExplorerException($"{name} must be positive (got {value}).");
            }
        }
        if (!(o.Minutes > 0 && double.IsFinite(o.Minutes)) || !(o.LearningRate > 0 && double.IsFinite(o.LearningRate)))
        {
            throw new ExplorerException($"--minutes and --lr must be positive numbers (got {o.Minutes} and {o.LearningRate}).");
        }
        if (o.Width % o.Heads != 0)
        {
            throw new ExplorerException($"--width ({o.Width}) must be a multiple of --heads ({o.Heads}).");
        }
        if (o.Resume && !File.Exists(Path.Combine(o.OutputFolder, StateFile)))
        {
            throw new ExplorerException($"--resume: no {StateFile} in '{o.OutputFolder}' to resume from.");
        }
        Directory.CreateDirectory(o.OutputFolder);
    }

    private static int Survivors(int candidates, int rung) =>
        Math.Max(1, (int)Math.Ceiling(candidates / Math.Pow(SearchOptions.Reduction, rung)));

    // A planted declaration as a candidate: PolyCom(...) of the language, keyed like drawn ones when it can be.
    private static SearchCandidate Planted(string declaration)
    {
        var (_, text) = RunTimeActivations.Split(declaration, "");
        return new SearchCandidate(text, 0, 0, "planted: " + text);
    }

    private static string DeclarationOf(SearchCandidate candidate) => candidate.Type == 0 ? candidate.Inner : candidate.Declaration;

    private bool Compile(string name, SearchCandidate candidate, out ActivationVariant? variant, out double seconds, out string? error)
    {
        string declaration = DeclarationOf(candidate);
        var clock = Stopwatch.StartNew();
        var compile = Task.Run(() => PolyComCompiler.Compile(declaration, name));
        variant = null;
        error = null;
        try
        {
            if (!compile.Wait(TimeSpan.FromSeconds(CompileLimitSeconds)))
            {
                error = $"compiling took over {CompileLimitSeconds} s";
                seconds = clock.Elapsed.TotalSeconds;
                return false;
            }
            variant = ActivationVariant.Of(compile.Result, declaration);
        }
        catch (AggregateException e) when (e.InnerException is PolyComCompilationException or ArgumentException)
        {
            error = e.InnerException is PolyComCompilationException c ? string.Join("; ", c.Diagnostics.Select(d => d.ToString())) : e.InnerException.Message;
        }
        seconds = clock.Elapsed.TotalSeconds;
        return variant is not null;
    }

    // Trains a candidate for `steps` steps (or reuses the run a resumed search recorded), recording the outcome.
    private SearchRecord Evaluate(string name, SearchCandidate candidate, string stage, int steps, int seed)
    {
        string declaration = DeclarationOf(candidate);
        if (_done.TryGetValue(Id(candidate.Key, steps, seed), out SearchRecord? recorded))
        {
            Report(recorded, reused: true);
            return recorded;
        }
        if (!Compile(name, candidate, out ActivationVariant? variant, out double compileSeconds, out string? error))
        {
            return Record(new SearchRecord(name, declaration, candidate.Key, stage, steps, seed,
                error!.StartsWith("compiling took", StringComparison.Ordinal) ? SearchRecord.TooSlow : SearchRecord.CompileError, error, double.NaN, double.NaN, 0, compileSeconds, []));
        }
        return Record(Train(variant!, name, declaration, candidate.Key, stage, steps, seed, compileSeconds));
    }

    private IEnumerable<VariantResult> FinalRuns(ActivationVariant variant, string key, string stage, int steps)
    {
        for (int s = 0; s < _options.Seeds && !_cancellation.IsCancellationRequested; s++)
        {
            int seed = _options.Seed + s;
            if (!_done.TryGetValue(Id(key, steps, seed), out SearchRecord? record))
            {
                record = Record(Train(variant, variant.Name, variant.Declaration ?? variant.Description, key, stage, steps, seed, 0));
            }
            else
            {
                Report(record, reused: true);
            }
            if (record.Succeeded)
            {
                yield return new VariantResult(variant.Name, seed, 0, record.TrainLoss, record.FinalTrainLoss, record.ValidationLoss, [], 0,
                    TimeSpan.FromSeconds(record.Seconds), true);
            }
        }
    }

    // The first line of a message: libtorch's errors carry their native stack trace after it.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    // One training run under a time limit (ten times what PolyNorm would take, and at least 20 s) that stops at the
    // first loss that is not finite.
    private SearchRecord Train(ActivationVariant variant, string name, string declaration, string key, string stage, int steps, int seed, double compileSeconds)
    {
        double limit = Math.Max(20, 10 * steps * _secondsPerStep);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        string? status = null, reason = null;
        var clock = Stopwatch.StartNew();
        VariantResult result;
        try
        {
            result = Trainer.Train(variant, _corpus, _shape, _training with { Steps = steps }, seed, (step, loss, _) =>
            {
                if (!double.IsFinite(loss) && status is null)
                {
                    (status, reason) = (SearchRecord.Diverged, $"non-finite loss ({loss}) at step {step}");
                    stop.Cancel();
                }
                else if (clock.Elapsed.TotalSeconds > limit && status is null)
                {
                    (status, reason) = (SearchRecord.TooSlow, $"past the limit of {limit:F0} s at step {step} of {steps}");
                    stop.Cancel();
                }
            }, stop.Token);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExternalException)
        {
            // libtorch refuses the non-finite weights a diverging step left (the effective rank's SVD, at the latest).
            return new SearchRecord(name, declaration, key, stage, steps, seed, SearchRecord.Diverged, $"non-finite values in training: {FirstLine(e.Message)}", double.NaN, double.NaN, clock.Elapsed.TotalSeconds, compileSeconds, []);
        }
        status ??= result.Completed ? SearchRecord.Ok : SearchRecord.Stopped;
        if (status == SearchRecord.Ok && !double.IsFinite(result.ValidationLoss))
        {
            (status, reason) = (SearchRecord.Diverged, $"validation loss {result.ValidationLoss}");
        }
        return new SearchRecord(name, declaration, key, stage, steps, seed, status, reason, result.ValidationLoss, result.FinalTrainLoss,
            clock.Elapsed.TotalSeconds, compileSeconds, result.TrainLoss);
    }

    private static string Id(string key, int steps, int seed) => string.Create(CultureInfo.InvariantCulture, $"{key}|{steps}|{seed}");

    private SearchRecord Record(SearchRecord record)
    {
        if (record.Status != SearchRecord.Stopped)
        {
            _done[Id(record.Key, record.Steps, record.Seed)] = record;
            _records.Add(record);
            Save();
        }
        Report(record, reused: false);
        return record;
    }

    private void Report(SearchRecord record, bool reused)
    {
        TimeSpan elapsed = _clock.Elapsed;
        string outcome = record.Succeeded ? $"val {record.ValidationLoss:F3}" : $"[yellow]{Markup.Escape(record.Status)}[/]: {Markup.Escape(record.Reason ?? "")}";
        _console.MarkupLine($"[grey]{(int)elapsed.TotalMinutes:00}:{elapsed.Seconds:00}/{_options.Minutes:0.##} min[/] {Markup.Escape(record.Stage),-8} {Markup.Escape(record.Name),-8} " +
                            $"{record.Steps,4} steps seed {record.Seed}  {outcome}{(reused ? " (recorded)" : $" ({record.Seconds:F1} s)")}  [grey]{Markup.Escape(record.Declaration)}[/]");
    }

    // The recorded runs of an earlier search in the same folder.
    private void Load()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_options.OutputFolder, StateFile)));
        foreach (JsonElement run in document.RootElement.GetProperty("runs").EnumerateArray())
        {
            SearchRecord? record = run.Deserialize<SearchRecord>(Json);
            if (record is not null)
            {
                _done[Id(record.Key, record.Steps, record.Seed)] = record;
                _records.Add(record);
            }
        }
        _console.MarkupLine($"Resuming: {_records.Count} recorded runs in {Markup.Escape(_options.OutputFolder)} are not trained again.");
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private void Save() => ExplorerRun.WriteAtomically(Path.Combine(_options.OutputFolder, StateFile), path =>
        File.WriteAllText(path, JsonSerializer.Serialize(new { options = _options with { Planted = [.. _options.Planted] }, runs = _records }, Json)));

    private SearchOutputs Write(IReadOnlyList<VariantSummary> final, IReadOnlyList<ActivationVariant> variants, int duplicates, int steps, int[] rungSteps)
    {
        string folder = _options.OutputFolder;
        var outputs = new SearchOutputs(Path.Combine(folder, "results.md"), Path.Combine(folder, "best.png"), Path.Combine(folder, "candidates.csv"),
            Path.Combine(folder, StateFile), Path.Combine(folder, "winners.cs"));
        Save();
        ExplorerRun.WriteAtomically(outputs.CandidatesCsv, path =>
        {
            var csv = new StringBuilder("name,stage,steps,seed,status,validation_loss,final_train_loss,seconds,compile_seconds,declaration,reason\n");
            foreach (SearchRecord r in _records)
            {
                csv.Append(CultureInfo.InvariantCulture,
                    $"{r.Name},{r.Stage},{r.Steps},{r.Seed},{r.Status},{r.ValidationLoss:R},{r.FinalTrainLoss:R},{r.Seconds:F2},{r.CompileSeconds:F2},{Quote(r.Declaration)},{Quote(r.Reason ?? "")}\n");
            }
            File.WriteAllText(path, csv.ToString());
        });
        var ranked = final.OrderBy(s => s.ValidationLoss.Mean).ToList();
        var found = ranked.Where(s => variants.First(v => v.Name == s.Variant).Declaration is not null).ToList();
        ExplorerRun.WriteAtomically(outputs.Winners, path =>
        {
            var code = new StringBuilder("// The best activations of a PolyComGen search, best first (mean validation loss over the final seeds).\n");
            code.AppendLine("using PolyComGen;");
            code.AppendLine();
            foreach (VariantSummary s in found)
            {
                code.AppendLine(CultureInfo.InvariantCulture, $"// {s.Variant}: validation loss {s.ValidationLoss.Format("F3")}");
                code.AppendLine($"[{variants.First(v => v.Name == s.Variant).Declaration}] public partial class {s.Variant} {{ }}");
            }
            File.WriteAllText(path, code.ToString());
        });
        ExplorerRun.WriteAtomically(outputs.Table, path => File.WriteAllText(path, Markdown(ranked, variants, duplicates, steps, rungSteps)));
        if (final.Count > 0)
        {
            ExplorerRun.WriteAtomically(outputs.Plot, path => LossPlot.Save(path, ranked, _corpus.EntropyFloor));
        }
        return outputs;
    }

    private string Markdown(IReadOnlyList<VariantSummary> ranked, IReadOnlyList<ActivationVariant> variants, int duplicates, int steps, int[] rungSteps)
    {
        var text = new StringBuilder();
        var drawn = _records.Where(r => r.Stage == "rung 0").ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"Search with seed {_options.Seed} on {_corpus.Description}; budget {_options.Minutes:0.##} min, used {_clock.Elapsed.TotalMinutes:F1} min.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{drawn.Count} candidates trained {rungSteps[0]} steps ({duplicates} spellings of earlier ones skipped); " +
            $"{string.Join(", ", Enumerable.Range(1, SearchOptions.Rungs - 1).Select(r => $"{_records.Count(x => x.Stage == $"rung {r}")} at {rungSteps[r]}"))}; " +
            $"failed: {string.Join(", ", new[] { SearchRecord.CompileError, SearchRecord.Diverged, SearchRecord.TooSlow }.Select(s => $"{drawn.Count(r => r.Status == s)} {s}"))}.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Final runs: {steps} steps, {_options.Seeds} seed(s) ({_options.Seed} to {_options.Seed + _options.Seeds - 1}), mean ± standard deviation; best first.");
        text.AppendLine();
        text.AppendLine("| activation | validation loss | train loss | declaration |");
        text.AppendLine("|---|---:|---:|---|");
        foreach (VariantSummary s in ranked)
        {
            string declaration = variants.First(v => v.Name == s.Variant).Declaration is string d ? $"`{d}`" : "(baseline)";
            text.AppendLine($"| {s.Variant} | {s.ValidationLoss.Format("F3")} | {s.TrainLoss.Format("F3")} | {declaration} |");
        }
        text.AppendLine();
        text.AppendLine("The best candidates of the first rung, with their later rungs:");
        text.AppendLine();
        text.AppendLine($"| candidate | {string.Join(" | ", rungSteps.Select(s => $"{s} steps"))} | declaration |");
        text.AppendLine($"|---|{string.Concat(rungSteps.Select(_ => "---:|"))}---|");
        foreach (SearchRecord first in drawn.Where(r => r.Succeeded).OrderBy(r => r.ValidationLoss).Take(15))
        {
            var losses = Enumerable.Range(0, SearchOptions.Rungs).Select(r =>
                _records.FirstOrDefault(x => x.Key == first.Key && x.Stage == $"rung {r}" && x.Seed == first.Seed) is { } run
                    ? run.Succeeded ? run.ValidationLoss.ToString("F3", CultureInfo.InvariantCulture) : run.Status : "");
            text.AppendLine($"| {first.Name} | {string.Join(" | ", losses)} | `{first.Declaration}` |");
        }
        return text.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
