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
using PolyComGen.Samples.Plot;
using Spectre.Console;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Search;

/// <summary>The files a search wrote.</summary>
public sealed record SearchOutputs(string Table, string Plot, string CandidatesCsv, string CandidatesJson, string Winners)
{
    /// <summary>winners.png: the finalists' and the baselines' shapes (y and dy/dx, as declared); null when there were none.</summary>
    public string? Shapes { get; init; }
}

/// <summary>
/// What a search trained: every run, the final summaries at the search's width (winners and baselines) and at the
/// transfer width, the finalists with their transfer check, and the files.
/// </summary>
public sealed record SearchReport(
    IReadOnlyList<SearchRecord> Records, IReadOnlyList<VariantSummary> Final, IReadOnlyList<VariantSummary> Transfer,
    IReadOnlyList<Finalist> Finalists, SearchOutputs Outputs);

/// <summary>
/// <c>polycom search</c>: draws PolyComs from the expression language (<see cref="ExpressionSampler"/>), compiles each
/// at run time and trains it on the explorer's task with successive halving (many short runs, then the best third
/// three times as long, twice), then retrains the best few with several seeds beside SwiGLU and PolyNorm trained the
/// same way, at the search's width and at a larger one (the transfer check), and keeps only the candidates whose lead
/// over SwiGLU holds at both. A candidate that fails to compile, diverges or runs past its time limit is recorded with
/// the reason and dropped. The budget is a deadline: the search measures what a run costs at both widths, refuses a
/// budget too small for the smallest meaningful search, plans the rungs and the final runs from the costs, re-plans
/// as it goes (drawing stops when the later rungs and the final runs would no longer fit; the final runs are shortened
/// to what is left, and a seed round that no longer fits is not started) and stops training when the time is up.
/// Every run is written to the results folder as it finishes, and a search resumed from that folder trains none of
/// them again.
/// </summary>
public sealed class SearchRun
{
    private const string StateFile = "candidates.json";
    private const double CompileLimitSeconds = 30;
    private const double Margin = 1.5; // a candidate's step may cost this much more than PolyNorm's, until measured
    private const double WritingSeconds = 5; // kept back from the budget for writing the results

    private readonly SearchOptions _options;
    private readonly IAnsiConsole _console;
    private readonly CancellationToken _cancellation;
    private readonly Dictionary<string, SearchRecord> _done = new(StringComparer.Ordinal);
    private readonly List<SearchRecord> _records = [];
    private readonly Stopwatch _clock = new();
    private CancellationToken _stop; // the user's Ctrl+C or the budget's end
    private Corpus _corpus = null!;
    private ModelShape[] _shapes = null!; // the search's width, then the transfer width
    private TrainingOptions _training = null!;
    private RunCost[] _costs = null!; // PolyNorm's run cost at each width

    private SearchRun(SearchOptions options, IAnsiConsole console, CancellationToken cancellation)
    {
        _options = options;
        _console = console;
        _cancellation = cancellation;
    }

    /// <summary>Runs a search with <paramref name="options"/>, printing progress on <paramref name="console"/>.</summary>
    /// <exception cref="ExplorerException">
    /// An option cannot be used (checked before anything trains), or the budget is too small for the smallest
    /// meaningful search (checked once the run costs are measured, a few seconds in; the message gives the smallest).
    /// </exception>
    public static SearchReport Execute(SearchOptions options, IAnsiConsole console, CancellationToken cancellation) =>
        new SearchRun(options, console, cancellation).Run();

    private double Budget => _options.Minutes * 60;

    private double Left => Budget - WritingSeconds - _clock.Elapsed.TotalSeconds;

    private SearchReport Run()
    {
        Check();
        _clock.Start();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, Budget - WritingSeconds)));
        _stop = deadline.Token;
        _corpus = Corpus.Open(_options.CorpusFile, _options.Seed + 1);
        if (_corpus.Train.Length <= _options.SequenceLength + 1 || _corpus.Validation.Length <= _options.SequenceLength + 1)
        {
            throw new ExplorerException($"The corpus is too short for --seq {_options.SequenceLength}.");
        }
        int headSize = _options.Width / _options.Heads;
        _shapes = [.. new[] { _options.Width, _options.TransferWidthOrDefault }.Select(w => new ModelShape(w, _options.Layers, w / headSize, _options.SequenceLength))];
        if (_options.Resume)
        {
            Load();
        }

        // Calibrate: PolyNorm's cost per run and per step at both widths, after a warm-up that pays the process's
        // one-time costs (libtorch's thread pools, the JIT of the training loop).
        ActivationVariant reference = ActivationVariant.Select(["PolyNorm"])[0];
        int calibration = SearchPlan.Rung(_options.Steps, 0);
        _training = new TrainingOptions(calibration, _options.BatchSize, _options.LearningRate, _options.Seed, CPU);
        Trainer.WarmUp(reference, _corpus, _shapes[0], _training);
        _costs = [.. _shapes.Select(shape =>
        {
            var timer = Stopwatch.StartNew();
            VariantResult result = Trainer.Train(reference, _corpus, shape, _training, _options.Seed, (_, _, _) => { }, _cancellation);
            return RunCost.Of(result, timer.Elapsed.TotalSeconds);
        })];
        double smallest = _clock.Elapsed.TotalSeconds + WritingSeconds + SearchPlan.MinimumSeconds(_options, _costs, Margin);
        if (smallest > Budget && !_options.Resume)
        {
            throw new ExplorerException(string.Create(CultureInfo.InvariantCulture,
                $"--minutes {_options.Minutes:0.##} is too small for a search here: the smallest ({SearchPlan.MinimumCandidates} candidates at {string.Join(", ", SearchPlan.For(SearchPlan.MinimumFinalSteps).RungSteps)} steps, " +
                $"then the best and {string.Join(", ", SearchOptions.Baselines)} with {_options.Seeds} seed(s) at widths {_shapes[0].Width} and {_shapes[1].Width} for {Math.Min(_options.Steps, SearchPlan.MinimumFinalSteps)} steps) " +
                $"takes about {smallest / 60:0.0} min at the speed measured (PolyNorm {_costs[0].PerStep * 1000:F1} and {_costs[1].PerStep * 1000:F1} ms/step). " +
                $"Give --minutes {Math.Ceiling(smallest * 1.2 / 60 * 10) / 10:0.#} or more, or fewer --seeds."));
        }

        // The plan: the final runs (best candidates and baselines, every seed, both widths) get at most 60% of what is left.
        SearchPlan plan = SearchPlan.Fit(_options.Steps, SearchPlan.FinalShare * Left, _options.Top, _options.Seeds, _costs, Margin);
        _console.MarkupLine($"[bold]PolyComGen search[/] (seed {_options.Seed}, budget {_options.Minutes:0.##} min): {Markup.Escape(_corpus.Description)}.");
        _console.MarkupLine($"Model: width {_shapes[0].Width}, {_shapes[0].Layers} layers, {_shapes[0].Heads} heads, sequence {_shapes[0].SequenceLength}, batch {_options.BatchSize}, lr {_options.LearningRate}; " +
                            $"PolyNorm trains at {_costs[0].PerStep * 1000:F1} ms/step (width {_shapes[1].Width}: {_costs[1].PerStep * 1000:F1}). Rungs of {string.Join(", ", plan.RungSteps)} steps, each keeping the best third; " +
                            $"then the best {_options.Top} and {string.Join(", ", SearchOptions.Baselines)} with {_options.Seeds} seed(s) at {plan.FinalSteps} steps, at widths {_shapes[0].Width} and {_shapes[1].Width}.");
        if (plan.FinalSteps != _options.Steps)
        {
            _console.MarkupLine($"[yellow]The budget holds the final runs at {plan.FinalSteps} steps, not {_options.Steps}.[/]");
        }

        // Rung 0: the planted candidates, then drawn ones while the later rungs and the final runs still fit.
        var sampler = new ExpressionSampler(_options.Seed);
        var rung = new List<(string Name, SearchCandidate Candidate, SearchRecord Record)>();
        // A candidate costs what the last ten of the first rung cost (tracking a machine that slows down), PolyNorm's
        // cost times the margin until five have trained.
        RunCost candidateCost()
        {
            var timed = rung.Select(c => c.Record).Where(r => r.Succeeded && r.Seconds > 0).TakeLast(10).ToList();
            return timed.Count < 5 ? _costs[0].Times(Margin) : new RunCost(timed.Sum(r => r.Seconds) / timed.Sum(r => r.Steps), 0);
        }
        double candidateFactor() => Math.Max(1, candidateCost().Seconds(plan.RungSteps[0]) / _costs[0].Seconds(plan.RungSteps[0]));
        for (int i = 0; !_stop.IsCancellationRequested; i++)
        {
            (string Name, SearchCandidate Candidate) next;
            if (i < _options.Planted.Count)
            {
                next = ($"P{i + 1}", Planted(_options.Planted[i]));
            }
            else
            {
                int drawn = rung.Count(c => c.Name.StartsWith('C'));
                if (_options.Candidates > 0 && drawn >= _options.Candidates)
                {
                    break;
                }
                RunCost cost = candidateCost();
                bool fits = cost.Seconds(plan.RungSteps[0]) + plan.RungSeconds(rung.Count + 1, cost, from: 1)
                            + plan.FinalSeconds(_options.Top, SearchOptions.Baselines.Count, _options.Seeds, _costs, candidateFactor()) <= Left;
                if (!fits && (rung.Count(r => r.Record.Succeeded) >= SearchPlan.MinimumCandidates || Left <= 0))
                {
                    break; // (not even three candidates fit: the later stages run with what there is)
                }
                next = ($"C{drawn + 1:000}", sampler.Next());
            }
            rung.Add((next.Name, next.Candidate, Evaluate(next.Name, next.Candidate, "rung 0", plan.RungSteps[0], _options.Seed, 0)));
        }

        // The later rungs: the best third of the one before, three times as long.
        var survivors = rung;
        for (int r = 1; r < SearchOptions.Rungs && !_stop.IsCancellationRequested; r++)
        {
            int keep = SearchPlan.Survivors(rung.Count, r);
            survivors = survivors.Where(s => s.Record.Succeeded).OrderBy(s => s.Record.ValidationLoss).Take(keep)
                .Select(s => (s.Name, s.Candidate, Evaluate(s.Name, s.Candidate, $"rung {r}", plan.RungSteps[r], _options.Seed, 0))).ToList();
        }

        // The final runs, re-planned from what is left: the best few and the baselines at both widths, a round per seed.
        var winners = survivors.Where(s => s.Record.Succeeded).OrderBy(s => s.Record.ValidationLoss).Take(_options.Top).ToList();
        var variants = SearchOptions.Baselines.Select(b => (Variant: ActivationVariant.Select([b])[0], Key: b, Stage: "baseline")).ToList();
        foreach (var (name, candidate, _) in winners)
        {
            if (Compile(name, candidate, out ActivationVariant? variant, out _, out _))
            {
                variants.Add((variant!, candidate.Key, "final"));
            }
        }
        int finalists = variants.Count - SearchOptions.Baselines.Count;
        SearchPlan final = SearchPlan.Fit(plan.FinalSteps, Math.Max(0, Left), finalists, _options.Seeds, _costs, candidateFactor());
        if (final.FinalSteps != plan.FinalSteps)
        {
            _console.MarkupLine($"[yellow]Re-planned: the time left holds the final runs at {final.FinalSteps} steps, not {plan.FinalSteps}.[/]");
        }
        var results = new List<VariantResult>[] { [], [] };
        double roundEstimate = final.FinalSeconds(finalists, SearchOptions.Baselines.Count, 1, _costs, candidateFactor());
        int rounds = 0;
        for (int s = 0; s < _options.Seeds && !_stop.IsCancellationRequested; s++)
        {
            if (s > 0 && roundEstimate > Left)
            {
                _console.MarkupLine($"[yellow]Re-planned: seed round {s + 1} of {_options.Seeds} would take about {roundEstimate:F0} s, {Math.Max(0, Left):F0} s are left; the final runs keep {s} seed(s).[/]");
                break;
            }
            var round = Stopwatch.StartNew();
            var trained = new List<VariantResult>[] { [], [] };
            for (int w = 0; w < _shapes.Length; w++)
            {
                foreach (var (variant, key, stage) in variants)
                {
                    if (FinalRun(variant, key, stage, final.FinalSteps, _options.Seed + s, w) is VariantResult result)
                    {
                        trained[w].Add(result);
                    }
                }
            }
            // A round cut short by the budget's end is left out whole: every variant keeps the same seeds.
            if (!_stop.IsCancellationRequested || trained.All(t => t.Count == variants.Count))
            {
                results[0].AddRange(trained[0]);
                results[1].AddRange(trained[1]);
                rounds++;
            }
            roundEstimate = round.Elapsed.TotalSeconds;
        }
        var all = variants.Select(v => v.Variant).ToList();
        IReadOnlyList<VariantSummary>[] summaries = [.. results.Select(r => VariantSummary.Of(r, all).Where(s => s.Runs.Count > 0).ToList())];
        IReadOnlyList<Finalist> transfer = Finalist.Check(_shapes.Select(s => s.Width).ToList(), summaries,
            variants.Where(v => v.Stage == "final").Select(v => v.Variant).ToList(), SearchOptions.Baselines);
        if (_stop.IsCancellationRequested && !_cancellation.IsCancellationRequested)
        {
            _console.MarkupLine($"[yellow]The budget ran out: the results hold what finished ({rounds} seed round(s) of the final runs).[/]");
        }
        SearchOutputs outputs = Write(summaries, transfer, all, sampler.Duplicates, final, plan, rounds);
        _console.Write(new Markup(Markup.Escape(File.ReadAllText(outputs.Table))));
        _console.MarkupLine($"Wrote {Markup.Escape(outputs.Table)}, {Markup.Escape(outputs.Plot)}, {(outputs.Shapes is string shapes ? Markup.Escape(shapes) + ", " : "")}{Markup.Escape(outputs.CandidatesCsv)}, {Markup.Escape(outputs.CandidatesJson)} and {Markup.Escape(outputs.Winners)}.");
        return new SearchReport(_records, summaries[0], summaries[1], transfer, outputs);
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
        if (o.Candidates < 0)
        {
            throw new ExplorerException($"--candidates must be 0 (as many as the budget holds) or positive (got {o.Candidates}).");
        }
        if (!(o.Minutes > 0 && double.IsFinite(o.Minutes)) || !(o.LearningRate > 0 && double.IsFinite(o.LearningRate)))
        {
            throw new ExplorerException($"--minutes and --lr must be positive numbers (got {o.Minutes} and {o.LearningRate}).");
        }
        if (o.Width % o.Heads != 0)
        {
            throw new ExplorerException($"--width ({o.Width}) must be a multiple of --heads ({o.Heads}).");
        }
        if (o.TransferWidthOrDefault <= o.Width || o.TransferWidthOrDefault % (o.Width / o.Heads) != 0)
        {
            throw new ExplorerException($"--transfer-width ({o.TransferWidthOrDefault}) must be larger than --width ({o.Width}) and a multiple of the head size {o.Width / o.Heads} (--width / --heads).");
        }
        if (o.Resume && !File.Exists(Path.Combine(o.OutputFolder, StateFile)))
        {
            throw new ExplorerException($"--resume: no {StateFile} in '{o.OutputFolder}' to resume from.");
        }
        Directory.CreateDirectory(o.OutputFolder);
    }

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

    // Trains a candidate for `steps` steps at width `width` (an index into the widths), or reuses the run a resumed
    // search recorded, recording the outcome.
    private SearchRecord Evaluate(string name, SearchCandidate candidate, string stage, int steps, int seed, int width)
    {
        string declaration = DeclarationOf(candidate);
        if (_done.TryGetValue(Id(candidate.Key, steps, seed, _shapes[width].Width), out SearchRecord? recorded))
        {
            Report(recorded, reused: true);
            return recorded;
        }
        if (!Compile(name, candidate, out ActivationVariant? variant, out double compileSeconds, out string? error))
        {
            return Record(new SearchRecord(name, declaration, candidate.Key, stage, steps, seed,
                error!.StartsWith("compiling took", StringComparison.Ordinal) ? SearchRecord.TooSlow : SearchRecord.CompileError, error, double.NaN, double.NaN, 0, compileSeconds, [])
            { Width = _shapes[width].Width });
        }
        return Record(Train(variant!, name, declaration, candidate.Key, stage, steps, seed, width, compileSeconds));
    }

    // One final run (or the one a resumed search recorded), as the explorer's result; null when it did not succeed.
    private VariantResult? FinalRun(ActivationVariant variant, string key, string stage, int steps, int seed, int width)
    {
        if (!_done.TryGetValue(Id(key, steps, seed, _shapes[width].Width), out SearchRecord? record))
        {
            record = Record(Train(variant, variant.Name, variant.Declaration ?? variant.Description, key, stage, steps, seed, width, 0));
        }
        else
        {
            Report(record, reused: true);
        }
        return record.Succeeded
            ? new VariantResult(variant.Name, seed, 0, record.TrainLoss, record.FinalTrainLoss, record.ValidationLoss, [], 0, TimeSpan.FromSeconds(record.Seconds), true)
            {
                ValidationCurve = record.ValidationCurve,
                FlopsPerToken = TrainingCompute.PerToken(_shapes[width], variant, _corpus.VocabularySize),
            }
            : null;
    }

    // The first line of a message: libtorch's errors carry their native stack trace after it.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    // One training run under a time limit (ten times what PolyNorm would take, and at least 20 s) that stops at the
    // first loss that is not finite.
    private SearchRecord Train(ActivationVariant variant, string name, string declaration, string key, string stage, int steps, int seed, int width, double compileSeconds)
    {
        double limit = Math.Max(20, 10 * _costs[width].Seconds(steps));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        string? status = null, reason = null;
        var clock = Stopwatch.StartNew();
        VariantResult result;
        try
        {
            result = Trainer.Train(variant, _corpus, _shapes[width], _training with { Steps = steps }, seed, (step, loss, _) =>
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
            return new SearchRecord(name, declaration, key, stage, steps, seed, SearchRecord.Diverged, $"non-finite values in training: {FirstLine(e.Message)}", double.NaN, double.NaN, clock.Elapsed.TotalSeconds, compileSeconds, [])
            {
                Width = _shapes[width].Width,
            };
        }
        status ??= result.Completed ? SearchRecord.Ok : SearchRecord.Stopped;
        if (status == SearchRecord.Ok && !double.IsFinite(result.ValidationLoss))
        {
            (status, reason) = (SearchRecord.Diverged, $"validation loss {result.ValidationLoss}");
        }
        return new SearchRecord(name, declaration, key, stage, steps, seed, status, reason, result.ValidationLoss, result.FinalTrainLoss,
            clock.Elapsed.TotalSeconds, compileSeconds, result.TrainLoss)
        {
            Width = _shapes[width].Width, ValidationCurve = result.ValidationCurve,
        };
    }

    private static string Id(string key, int steps, int seed, int width) => string.Create(CultureInfo.InvariantCulture, $"{key}|{steps}|{seed}|{width}");

    private SearchRecord Record(SearchRecord record)
    {
        if (record.Status != SearchRecord.Stopped)
        {
            _done[Id(record.Key, record.Steps, record.Seed, record.Width)] = record;
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
                            $"{record.Steps,4} steps w{record.Width,-4} seed {record.Seed}  {outcome}{(reused ? " (recorded)" : $" ({record.Seconds:F1} s)")}  [grey]{Markup.Escape(record.Declaration)}[/]");
    }

    // The recorded runs of an earlier search in the same folder (runs recorded before widths were, at the search's width).
    private void Load()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_options.OutputFolder, StateFile)));
        foreach (JsonElement run in document.RootElement.GetProperty("runs").EnumerateArray())
        {
            SearchRecord? record = run.Deserialize<SearchRecord>(Json);
            if (record is not null)
            {
                record = record.Width == 0 ? record with { Width = _options.Width } : record;
                _done[Id(record.Key, record.Steps, record.Seed, record.Width)] = record;
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

    private SearchOutputs Write(IReadOnlyList<VariantSummary>[] summaries, IReadOnlyList<Finalist> finalists, IReadOnlyList<ActivationVariant> variants,
        int duplicates, SearchPlan final, SearchPlan planned, int rounds)
    {
        string folder = _options.OutputFolder;
        var outputs = new SearchOutputs(Path.Combine(folder, "results.md"), Path.Combine(folder, "best.png"), Path.Combine(folder, "candidates.csv"),
            Path.Combine(folder, StateFile), Path.Combine(folder, "winners.cs"));
        Save();
        ExplorerRun.WriteAtomically(outputs.CandidatesCsv, path =>
        {
            var csv = new StringBuilder("name,stage,width,steps,seed,status,validation_loss,final_train_loss,seconds,compile_seconds,declaration,reason\n");
            foreach (SearchRecord r in _records)
            {
                csv.Append(CultureInfo.InvariantCulture,
                    $"{r.Name},{r.Stage},{r.Width},{r.Steps},{r.Seed},{r.Status},{r.ValidationLoss:R},{r.FinalTrainLoss:R},{r.Seconds:F2},{r.CompileSeconds:F2},{Quote(r.Declaration)},{Quote(r.Reason ?? "")}\n");
            }
            File.WriteAllText(path, csv.ToString());
        });
        ExplorerRun.WriteAtomically(outputs.Winners, path =>
        {
            var code = new StringBuilder("// The activations of a PolyComGen search whose lead over " + SearchOptions.Baselines[0] + " held at both widths, best first\n");
            code.AppendLine(CultureInfo.InvariantCulture, $"// (mean validation loss over the final seeds at width {_shapes[0].Width}; effective speedups at widths {_shapes[0].Width} and {_shapes[1].Width}).");
            code.AppendLine("using PolyComGen;");
            code.AppendLine();
            foreach (Finalist f in finalists.OrderBy(f => f.Widths.FirstOrDefault()?.ValidationLoss.Mean ?? double.PositiveInfinity))
            {
                string speedups = string.Join(", ", f.Widths.Select(w => $"{Speedup(w, SearchOptions.Baselines[0])} at width {w.Width}"));
                if (f.Holds)
                {
                    code.AppendLine(CultureInfo.InvariantCulture, $"// {f.Name}: validation loss {f.Widths[0].ValidationLoss.Format("F3")}; over {SearchOptions.Baselines[0]} {speedups}");
                    code.AppendLine($"[{f.Declaration}] public partial class {f.Name} {{ }}");
                }
                else
                {
                    code.AppendLine(CultureInfo.InvariantCulture, $"// Dropped, its lead did not hold: {f.Name} [{f.Declaration}] over {SearchOptions.Baselines[0]} {speedups}");
                }
            }
            File.WriteAllText(path, code.ToString());
        });
        ExplorerRun.WriteAtomically(outputs.Table, path => File.WriteAllText(path, Markdown(summaries, finalists, variants, duplicates, final, planned, rounds)));
        var ranked = summaries[0].OrderBy(s => s.ValidationLoss.Mean).ToList();
        if (ranked.Count > 0)
        {
            ExplorerRun.WriteAtomically(outputs.Plot, path => LossPlot.Save(path, ranked, _corpus.EntropyFloor, (double)_options.BatchSize * _options.SequenceLength,
                "PolyComGen search, finalists and baselines", zoomFinal: true));
        }
        var shapes = finalists.Select(f => variants.FirstOrDefault(v => v.Name == f.Name)).OfType<ActivationVariant>()
            .Concat(variants.Where(v => SearchOptions.Baselines.Contains(v.Name))).Distinct().ToList();
        if (shapes.Count == 0)
        {
            return outputs;
        }
        string shapesPath = Path.Combine(folder, "winners.png");
        ExplorerRun.WriteAtomically(shapesPath, path => ActivationPlot.SaveGallery(path, shapes.Select(v =>
        {
            Finalist? f = finalists.FirstOrDefault(f => f.Name == v.Name);
            string title = f is null ? $"{v.Name} (baseline)" : $"{v.Name} ({(f.Holds ? "kept" : "dropped")}): {v.Declaration ?? PlotRun.FormulaOf(v)}";
            return (title, (IReadOnlyList<ActivationCurve>)[PlotRun.Declared(v, -4, 4)]);
        }).ToList(), columns: Math.Min(4, shapes.Count)));
        return outputs with { Shapes = shapesPath };
    }

    private static string Speedup(FinalistAtWidth width, string baseline) =>
        width.SpeedupOver.TryGetValue(baseline, out Spread s) && s.Count > 0 ? s.Format("F2") + "x" : "-";

    private string Markdown(IReadOnlyList<VariantSummary>[] summaries, IReadOnlyList<Finalist> finalists, IReadOnlyList<ActivationVariant> variants,
        int duplicates, SearchPlan final, SearchPlan planned, int rounds)
    {
        var text = new StringBuilder();
        var drawn = _records.Where(r => r.Stage == "rung 0").ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"Search with seed {_options.Seed} on {_corpus.Description}; budget {_options.Minutes:0.##} min, used {_clock.Elapsed.TotalMinutes:F1} min.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{drawn.Count} candidates trained {planned.RungSteps[0]} steps ({duplicates} spellings of earlier ones skipped); " +
            $"{string.Join(", ", Enumerable.Range(1, SearchOptions.Rungs - 1).Select(r => $"{_records.Count(x => x.Stage == $"rung {r}")} at {planned.RungSteps[r]}"))}; " +
            $"failed: {string.Join(", ", new[] { SearchRecord.CompileError, SearchRecord.Diverged, SearchRecord.TooSlow }.Select(s => $"{drawn.Count(r => r.Status == s)} {s}"))}.");
        text.AppendLine();
        string[] baselines = [.. SearchOptions.Baselines];
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Final runs: {final.FinalSteps} steps, {rounds} seed(s) ({_options.Seed} to {_options.Seed + rounds - 1}), mean ± standard deviation, at width {_shapes[0].Width} " +
            $"and at the transfer width {_shapes[1].Width} ({_shapes[1].Heads} heads, the same steps); effective speedup: for the loss both reach, the steps the baseline needs over the " +
            $"steps the activation needs (seed k against seed k). A candidate's lead holds when its mean speedup over {baselines[0]} is above 1 at both widths; best first at width {_shapes[0].Width}.");
        text.AppendLine();
        string header = string.Concat(_shapes.Select(s => $" width {s.Width}: validation loss |{string.Concat(baselines.Select(b => $" vs {b} |"))}"));
        text.AppendLine($"| activation |{header} lead holds | declaration |");
        text.AppendLine($"|---|{string.Concat(_shapes.Select(_ => "---:|" + string.Concat(baselines.Select(_ => "---:|"))))}---|---|");
        foreach (VariantSummary s in summaries[0].OrderBy(s => s.ValidationLoss.Mean))
        {
            Finalist? finalist = finalists.FirstOrDefault(f => f.Name == s.Variant);
            var cells = new List<string>();
            for (int w = 0; w < _shapes.Length; w++)
            {
                VariantSummary? at = summaries[w].FirstOrDefault(x => x.Variant == s.Variant);
                cells.Add(at?.ValidationLoss.Format("F3") ?? "-");
                foreach (string b in baselines)
                {
                    VariantSummary? reference = summaries[w].FirstOrDefault(x => x.Variant == b);
                    cells.Add(at is null || reference is null || b == s.Variant ? "-" : at.SpeedupOver(reference) is { Count: > 0 } speedup ? speedup.Format("F2") + "x" : "-");
                }
            }
            string declaration = variants.First(v => v.Name == s.Variant).Declaration is string d ? $"`{d}`" : "(baseline)";
            text.AppendLine($"| {s.Variant} | {string.Join(" | ", cells)} | {(finalist is null ? "-" : finalist.Holds ? "yes" : "no")} | {declaration} |");
        }
        text.AppendLine();
        text.AppendLine("The best candidates of the first rung, with their later rungs:");
        text.AppendLine();
        text.AppendLine($"| candidate | {string.Join(" | ", planned.RungSteps.Select(s => $"{s} steps"))} | declaration |");
        text.AppendLine($"|---|{string.Concat(planned.RungSteps.Select(_ => "---:|"))}---|");
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
