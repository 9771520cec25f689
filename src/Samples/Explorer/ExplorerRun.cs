using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using Spectre.Console;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>Everything a run of <c>polycom explore</c> is told.</summary>
public sealed record ExplorerOptions(
    IReadOnlyList<string> Variants, int Steps, int Width, int Layers, int Heads, int SequenceLength, int BatchSize,
    double LearningRate, int Seed, string Device, string OutputFolder, string? CorpusFile, int Seeds = 1,
    IReadOnlyList<ActivationVariant>? More = null, string Baseline = "SwiGLU", int Experts = 1, int TopK = 1)
{
    /// <summary>The most experts a mixture may have in the explorer.</summary>
    public const int MaxExperts = 64;

    /// <summary>The built-in variants that run beside run-time ones (<c>--variant</c>, <c>--assembly</c>) when <c>--variants</c> does not say.</summary>
    public static IReadOnlyList<string> BaselinesBesideRunTime { get; } = ["SwiGLU", "PolyNorm", "PolyReLU"];

    /// <summary>
    /// The default run: every variant, one seed, on the default corpus (the SDK's documentation), sized to finish in
    /// about 4 minutes of training on two CPU cores.
    /// </summary>
    public static ExplorerOptions Default => new(
        ActivationVariant.All.Select(v => v.Name).ToList(), Steps: 800, Width: 64, Layers: 2, Heads: 4, SequenceLength: 64,
        BatchSize: 16, LearningRate: 3e-3, Seed: 0, Device: "auto", OutputFolder: "explore-out", CorpusFile: null, Seeds: 1);
}

/// <summary>The files a run wrote.</summary>
public sealed record ExplorerOutputs(string Table, string LossPlot, string RankPlot, string CurvesCsv, string RanksCsv, string Json)
{
    /// <summary>
    /// activations.png: each variant's learned activation per layer against its initialisation (the first seed), for
    /// runs of variants with parameters; null when no variant had any.
    /// </summary>
    public string? LearnedPlot { get; init; }
}

/// <summary>What a run trained and wrote: every seed's run, the per-variant summaries, the files.</summary>
public sealed record ExplorerReport(IReadOnlyList<VariantResult> Runs, IReadOnlyList<VariantSummary> Summaries, ExplorerOutputs Outputs);

/// <summary>
/// Trains the chosen variants one after another, each with <see cref="ExplorerOptions.Seeds"/> model seeds on the
/// same data, order and hyperparameters, shows live progress, then writes a table (means and spreads over seeds,
/// the FFN effective rank), the loss and rank plots and the curves. Checks every input before training, so a bad
/// one costs nothing and writes nothing; a cancellation stops after the current step and writes what there is.
/// </summary>
public static class ExplorerRun
{
    /// <summary>Runs the exploration <paramref name="options"/> describe.</summary>
    /// <param name="corpus">
    /// The corpus <see cref="ExplorerOptions.CorpusFile"/> names, where the caller has opened it already (a ladder's
    /// rungs share one); null opens it here.
    /// </param>
    public static ExplorerReport Execute(ExplorerOptions options, IAnsiConsole console, CancellationToken cancellation, Corpus? corpus = null)
    {
        foreach (var (name, value) in new[] { ("--steps", options.Steps), ("--width", options.Width), ("--layers", options.Layers), ("--heads", options.Heads), ("--seq", options.SequenceLength), ("--batch", options.BatchSize), ("--seeds", options.Seeds) })
        {
            if (value <= 0)
            {
                throw new ExplorerException($"{name} must be positive (got {value}).");
            }
        }
        if (!(options.LearningRate > 0 && double.IsFinite(options.LearningRate)))
        {
            throw new ExplorerException($"--lr must be a positive number (got {options.LearningRate}).");
        }
        IReadOnlyList<ActivationVariant> variants = ActivationVariant.Select(options.Variants, options.More);
        Device device = ResolveDevice(options.Device);
        CheckWritable(options.OutputFolder);
        corpus ??= Corpus.Open(options.CorpusFile, options.Seed + 1);
        if (corpus.Train.Length <= options.SequenceLength + 1 || corpus.Validation.Length <= options.SequenceLength + 1)
        {
            throw new ExplorerException($"The corpus is too short for --seq {options.SequenceLength}: {corpus.Train.Length} training and {corpus.Validation.Length} validation tokens.");
        }
        if (options.Experts is < 1 or > ExplorerOptions.MaxExperts || (options.Experts > 1 && options.TopK is < 1 or > ExplorerOptions.MaxExperts) || options.TopK > options.Experts)
        {
            throw new ExplorerException($"--experts must be 1 (dense FFNs) to {ExplorerOptions.MaxExperts}, and --top-k from 1 to --experts (got --experts {options.Experts} --top-k {options.TopK}).");
        }
        var shape = new ModelShape(options.Width, options.Layers, options.Heads, options.SequenceLength, options.Experts, options.Experts > 1 ? options.TopK : 1);
        if (shape.Width % shape.Heads != 0)
        {
            throw new ExplorerException($"--width ({shape.Width}) must be a multiple of --heads ({shape.Heads}).");
        }
        var training = new TrainingOptions(options.Steps, options.BatchSize, options.LearningRate, options.Seed, device);

        console.MarkupLine($"[bold]PolyComGen explorer[/]: {Markup.Escape(corpus.Description)}");
        console.MarkupLine(corpus.EntropyFloor is double floor
            ? $"Entropy floor of the corpus: [bold]{floor:F3}[/] nats/token (a perfect model's loss); uniform guessing: {Math.Log(corpus.VocabularySize):F3}."
            : $"Uniform guessing: {Math.Log(corpus.VocabularySize):F3} nats/token (no entropy floor is known for a user corpus).");
        if (shape.Experts > 1)
        {
            console.MarkupLine($"Mixture of experts: every FFN is {shape.Experts} experts of the variant (each with its own activation parameters), top-{shape.TopK} routing " +
                               $"(softmax router, weights renormalised over the top {shape.TopK}), capacity unlimited, load-balancing loss weight {TrainingOptions.BalanceWeight}; no checkpoints are written.");
        }
        console.MarkupLine($"Model: width {shape.Width}, {shape.Layers} layers, {shape.Heads} heads, sequence {shape.SequenceLength}; " +
                           $"batch {training.BatchSize}, {training.Steps} steps, AdamW lr {training.LearningRate} (warm-up, cosine), on {device.type}; " +
                           (options.Seeds == 1 ? $"model seed {options.Seed}." : $"model seeds {options.Seed} to {options.Seed + options.Seeds - 1}, the same data for each."));

        var results = new List<VariantResult>();
        int width = variants.Max(v => v.Name.Length);
        string checkpoints = Path.Combine(options.OutputFolder, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        Checkpoint.SaveCorpus(corpus, checkpoints);
        Trainer.WarmUp(variants[0], corpus, shape, training);
        // Each run of a variant with a seed, reporting (step, loss, tokens/s) to a progress sink.
        void TrainAll(Func<ActivationVariant, int, Action<int, double, double>> progressOf, Action<ActivationVariant>? started = null, Action<ActivationVariant>? finished = null)
        {
            foreach (ActivationVariant variant in variants)
            {
                started?.Invoke(variant);
                for (int run = 0; run < options.Seeds && !cancellation.IsCancellationRequested; run++)
                {
                    int modelSeed = options.Seed + run;
                    results.Add(Trainer.Train(variant, corpus, shape, training, modelSeed, progressOf(variant, run), cancellation, Checkpoint.PathOf(checkpoints, variant.Name, modelSeed)));
                }
                finished?.Invoke(variant);
                if (cancellation.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        string Line(ActivationVariant variant, int run, int step, double loss, double speed) =>
            $"{Markup.Escape(variant.Name.PadRight(width))}{(options.Seeds == 1 ? "" : $" seed {options.Seed + run}")} step {step,5}  loss {loss:F3}  {speed,8:F0} tok/s";

        if (console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var tasks = variants.ToDictionary(v => v.Name, v => context.AddTask(Markup.Escape(v.Name), autoStart: false, maxValue: training.Steps * options.Seeds));
                    TrainAll((variant, run) => (step, loss, speed) =>
                        {
                            tasks[variant.Name].Value = run * training.Steps + step;
                            tasks[variant.Name].Description = Line(variant, run, step, loss, speed);
                        },
                        started: variant => tasks[variant.Name].StartTask(),
                        finished: variant => tasks[variant.Name].StopTask());
                });
        }
        else
        {
            // Output to a file or a pipe (CI, tee, nohup): a line per run every tenth of its steps and at its end, nothing
            // for variants that have not started.
            int every = Math.Max(1, training.Steps / 10);
            TrainAll((variant, run) => (step, loss, speed) =>
            {
                if (step % every == 0 || step == training.Steps)
                {
                    console.MarkupLine(Line(variant, run, step, loss, speed));
                }
            });
        }

        IReadOnlyList<VariantSummary> summaries = VariantSummary.Of(results, variants);
        ExplorerOutputs outputs = Write(options, results, summaries, corpus, variants);
        console.Write(SummaryTable(summaries, corpus, options.Baseline));
        foreach (ActivationVariant variant in variants.Where(v => v.Declaration is not null))
        {
            console.MarkupLine($"{Markup.Escape(variant.Name)} = {Markup.Escape(variant.Declaration!)}");
        }
        console.MarkupLine(cancellation.IsCancellationRequested ? "[yellow]Stopped early: the outputs hold the steps that ran.[/]" : "");
        console.MarkupLine($"Wrote {Markup.Escape(outputs.Table)}, {Markup.Escape(outputs.LossPlot)}, {Markup.Escape(outputs.RankPlot)}, " +
                           $"{Markup.Escape(outputs.CurvesCsv)}, {Markup.Escape(outputs.RanksCsv)}, {Markup.Escape(outputs.Json)}" +
                           (outputs.LearnedPlot is string learned ? $", {Markup.Escape(learned)} (the learned activations)" : "") +
                           (shape.Experts > 1 ? "." : $", and each model's state_dict in {Markup.Escape(checkpoints)} (PyTorch's format)."));
        return new ExplorerReport(results, summaries, outputs);
    }

    private static Device ResolveDevice(string name) => name.ToLowerInvariant() switch
    {
        "auto" => cuda.is_available() ? CUDA : CPU,
        "cpu" => CPU,
        "cuda" => cuda.is_available() ? CUDA : throw new ExplorerException("--device cuda was asked for, but TorchSharp sees no CUDA device (a CUDA libtorch package and a GPU are needed)."),
        _ => throw new ExplorerException($"--device must be auto, cpu or cuda (got '{name}')."),
    };

    private static void CheckWritable(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ExplorerException($"The output folder '{folder}' cannot be written: {e.Message}");
        }
    }

    private static Table SummaryTable(IReadOnlyList<VariantSummary> summaries, Corpus corpus, string baselineName)
    {
        VariantSummary? baseline = summaries.FirstOrDefault(s => s.Variant == baselineName);
        var table = new Table().AddColumns("variant", "parameters", "train loss", "validation loss");
        if (baseline is not null)
        {
            table.AddColumns($"speedup vs {Markup.Escape(baseline.Variant)}", "in FLOPs");
        }
        table.AddColumn("FFN eff. rank");
        bool mixture = summaries.Any(s => s.Busiest.Count > 0);
        if (mixture)
        {
            table.AddColumn("busiest expert");
        }
        table.AddColumns("tokens/s", "wall time");
        var (best, clear) = VariantSummary.Best(summaries);
        foreach (VariantSummary s in summaries)
        {
            string mark = s.Variant == best && clear ? " [green](best)[/]" : "";
            var cells = new List<string> { Markup.Escape(s.Variant) + mark, s.Parameters.ToString("N0", CultureInfo.InvariantCulture), s.TrainLoss.Format("F3"), s.ValidationLoss.Format("F3") };
            if (baseline is not null)
            {
                cells.AddRange([Speedup(s, baseline), Speedup(s, baseline, flops: true)]);
            }
            cells.Add(s.Rank.Format("F1"));
            if (mixture)
            {
                cells.Add(s.Busiest.Format("F2"));
            }
            cells.AddRange([s.TokensPerSecond.ToString("F0", CultureInfo.InvariantCulture), $"{s.WallTime.TotalSeconds:F1} s"]);
            table.AddRow(cells.ToArray());
        }
        table.Caption(Caption(summaries, corpus, best, clear));
        return table;
    }

    // "1.23x" (with its spread over seeds), in steps or FLOPs, or "-" for the baseline itself and a run without a curve.
    private static string Speedup(VariantSummary summary, VariantSummary baseline, bool flops = false)
    {
        if (summary == baseline)
        {
            return "-";
        }
        Spread speedup = summary.SpeedupOver(baseline, flops);
        return speedup.Count == 0 ? "-" : speedup.Format("F2") + "x";
    }

    // What the table's marks mean: the entropy floor, the seeds, and whether a lead is larger than the spread.
    private static string Caption(IReadOnlyList<VariantSummary> summaries, Corpus corpus, string? best, bool clear)
    {
        var parts = new List<string>();
        if (corpus.EntropyFloor is double floor)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"entropy floor {floor:F3} nats/token"));
        }
        int seeds = summaries.Count == 0 ? 0 : summaries.Max(s => s.Runs.Count);
        if (seeds == 1 && summaries.Count > 1 && best is not null)
        {
            parts.Add($"one seed: no best marked ({best} has the lowest validation loss; --seeds 3 measures whether a lead exceeds the spread)");
        }
        if (seeds > 1)
        {
            parts.Add($"mean ± standard deviation over {seeds} model seeds");
            if (best is not null && !clear)
            {
                parts.Add($"no best marked: {best} leads by less than the spread");
            }
        }
        return string.Join("; ", parts);
    }

    /// <summary>The table as Markdown, as written to results.md.</summary>
    public static string MarkdownTable(IReadOnlyList<VariantSummary> summaries, Corpus corpus, IReadOnlyList<ActivationVariant>? variants = null, string baselineName = "SwiGLU")
    {
        VariantSummary? baseline = summaries.FirstOrDefault(s => s.Variant == baselineName);
        var text = new StringBuilder();
        var (best, clear) = VariantSummary.Best(summaries);
        text.AppendLine($"Corpus: {corpus.Description}.");
        string caption = Caption(summaries, corpus, best, clear);
        if (caption.Length > 0)
        {
            text.AppendLine();
            text.AppendLine(char.ToUpperInvariant(caption[0]) + caption[1..] + ".");
        }
        text.AppendLine();
        if (baseline is not null)
        {
            text.AppendLine($"Effective speedup vs {baseline.Variant}: the steps {baseline.Variant} needs over the steps the variant needs to reach the worse of their two final validation losses (the paper's convergence metric; above 1 is faster); in FLOPs: the same for the training FLOPs, the activation's own arithmetic counted (FLOPs per token in the last column).");
            text.AppendLine();
        }
        bool mixture = summaries.Any(s => s.Busiest.Count > 0);
        if (mixture)
        {
            text.AppendLine("Busiest expert: the share of the token copies (top-k) that the busiest expert received in the final validation forward, averaged over layers (1/E is perfect balance).");
            text.AppendLine();
        }
        text.AppendLine($"| variant | parameters | train loss | validation loss |{(baseline is null ? "" : $" speedup vs {baseline.Variant} | in FLOPs |")} FFN eff. rank |{(mixture ? " busiest expert |" : "")} tokens/s | wall time | FLOPs/token |");
        text.AppendLine($"|---|---:|---:|---:|{(baseline is null ? "" : "---:|---:|")}---:|{(mixture ? "---:|" : "")}---:|---:|---:|");
        foreach (VariantSummary s in summaries)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Variant}{(s.Variant == best && clear ? " (best)" : "")}{(s.Completed ? "" : " (stopped)")} | {s.Parameters:N0} | {s.TrainLoss.Format("F3")} | " +
                $"{s.ValidationLoss.Format("F3")} |{(baseline is null ? "" : $" {Speedup(s, baseline)} | {Speedup(s, baseline, flops: true)} |")} {s.Rank.Format("F1")} |{(mixture ? $" {s.Busiest.Format("F2")} |" : "")} {s.TokensPerSecond:F0} | {s.WallTime.TotalSeconds:F1} s | {s.FlopsPerToken:0.00e0} |");
        }
        var compiled = (variants ?? []).Where(v => v.Declaration is not null).ToList();
        if (compiled.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Compiled at run time:");
            text.AppendLine();
            foreach (ActivationVariant variant in compiled)
            {
                text.AppendLine($"- {variant.Name}: `{variant.Declaration}`");
            }
        }
        AppendLearned(text, summaries);
        return text.ToString();
    }

    // Every variant's trained activation parameters (its first seed's), layer by layer: PolyCom's weights and bias, and
    // the named ones (beta, PAU's coefficients ...). A mixture's have a row per expert, written one after another.
    private static void AppendLearned(StringBuilder text, IReadOnlyList<VariantSummary> summaries)
    {
        var learned = summaries.Where(s => s.Runs[0].Learned is { Count: > 0 } layers && layers[0].Count > 0).ToList();
        if (learned.Count == 0)
        {
            return;
        }
        text.AppendLine();
        text.AppendLine("Learned activation parameters after training (the first seed's; activations.png draws them):");
        text.AppendLine();
        text.AppendLine("| variant | layer | parameter | values |");
        text.AppendLine("|---|---:|---|---|");
        foreach (VariantSummary s in learned)
        {
            for (int layer = 0; layer < s.Runs[0].Learned!.Count; layer++)
            {
                foreach (var (name, values) in s.Runs[0].Learned![layer])
                {
                    text.AppendLine($"| {s.Variant} | {layer + 1} | {name} | {string.Join(", ", values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))} |");
                }
            }
        }
    }

    private static ExplorerOutputs Write(
        ExplorerOptions options, IReadOnlyList<VariantResult> results, IReadOnlyList<VariantSummary> summaries, Corpus corpus, IReadOnlyList<ActivationVariant> variants)
    {
        string folder = options.OutputFolder, baseline = options.Baseline;
        var outputs = new ExplorerOutputs(
            Path.Combine(folder, "results.md"), Path.Combine(folder, "loss.png"), Path.Combine(folder, "rank.png"),
            Path.Combine(folder, "curves.csv"), Path.Combine(folder, "ranks.csv"), Path.Combine(folder, "curves.json"));
        WriteAtomically(outputs.Table, path => File.WriteAllText(path, MarkdownTable(summaries, corpus, variants, baseline)));
        WriteAtomically(outputs.CurvesCsv, path =>
        {
            var csv = new StringBuilder("variant,seed,step,train_loss\n");
            foreach (VariantResult r in results)
            {
                for (int i = 0; i < r.TrainLoss.Count; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{r.Variant},{r.Seed},{i + 1},{r.TrainLoss[i]:R}\n");
                }
            }
            File.WriteAllText(path, csv.ToString());
        });
        WriteAtomically(outputs.RanksCsv, path =>
        {
            var csv = new StringBuilder("variant,seed,layer,matrix,effective_rank\n");
            foreach (VariantResult r in results)
            {
                foreach (LayerRank rank in r.Ranks)
                {
                    foreach (var (matrix, value) in new[] { ("up", (double?)rank.Up), ("gate", rank.Gate), ("down", rank.Down) })
                    {
                        if (value is double v)
                        {
                            csv.Append(CultureInfo.InvariantCulture, $"{r.Variant},{r.Seed},{rank.Layer},{matrix},{v:R}\n");
                        }
                    }
                }
            }
            File.WriteAllText(path, csv.ToString());
        });
        var (best, clear) = VariantSummary.Best(summaries);
        WriteAtomically(outputs.Json, path => File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            corpus = corpus.Description,
            entropyFloor = corpus.EntropyFloor,
            best,
            bestLeadExceedsSpread = clear,
            baseline,
            variants = summaries.Select(s => new
            {
                name = s.Variant,
                description = s.Description,
                declaration = variants.FirstOrDefault(v => v.Name == s.Variant)?.Declaration,
                parameters = s.Parameters,
                finalTrainLoss = new { mean = s.TrainLoss.Mean, std = s.TrainLoss.Deviation },
                validationLoss = new { mean = s.ValidationLoss.Mean, std = s.ValidationLoss.Deviation },
                effectiveSpeedup = summaries.FirstOrDefault(b => b.Variant == baseline) is VariantSummary b && b != s
                    ? new { mean = s.SpeedupOver(b).Mean, std = s.SpeedupOver(b).Deviation } : null,
                effectiveSpeedupInFlops = summaries.FirstOrDefault(b => b.Variant == baseline) is VariantSummary fb && fb != s
                    ? new { mean = s.SpeedupOver(fb, flops: true).Mean, std = s.SpeedupOver(fb, flops: true).Deviation } : null,
                flopsPerToken = s.FlopsPerToken,
                effectiveRank = new { mean = s.Rank.Mean, std = s.Rank.Deviation, perLayer = s.RankPerLayer.Select(l => new { mean = l.Mean, std = l.Deviation }) },
                completed = s.Completed,
                runs = s.Runs.Select(r => new
                {
                    seed = r.Seed,
                    finalTrainLoss = r.FinalTrainLoss,
                    validationLoss = r.ValidationLoss,
                    effectiveRank = r.Ranks.Select(l => new { layer = l.Layer, up = l.Up, gate = l.Gate, down = l.Down }),
                    tokensPerSecond = r.TokensPerSecond,
                    wallSeconds = r.WallTime.TotalSeconds,
                    completed = r.Completed,
                    learnedParameters = (r.Learned ?? []).Select((layer, index) => new { layer = index + 1, values = layer }),
                    trainLoss = r.TrainLoss,
                    validationCurve = r.ValidationCurve.Select(p => new { step = p.Step, loss = p.Loss }),
                }),
            }),
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })));
        WriteAtomically(outputs.LossPlot, path => LossPlot.Save(path, summaries, corpus.EntropyFloor, (double)options.BatchSize * options.SequenceLength));
        WriteAtomically(outputs.RankPlot, path => RankPlot.Save(path, summaries));
        // A mixture's activations take their experts' rows: not drawn. Written beside its name, then renamed, as the others.
        string learnedPlot = Path.Combine(folder, "activations.png"), temporary = learnedPlot + ".partial.png";
        bool drawn = options.Experts == 1 && Plot.PlotRun.Learned(summaries, variants, temporary);
        if (drawn)
        {
            File.Move(temporary, learnedPlot, overwrite: true);
        }
        else if (File.Exists(learnedPlot))
        {
            File.Delete(learnedPlot); // an earlier run's
        }
        return outputs with { LearnedPlot = drawn ? learnedPlot : null };
    }

    // Each file appears whole or not at all: written beside its name, then renamed over it.
    internal static void WriteAtomically(string path, Action<string> write)
    {
        string temporary = path + ".partial" + Path.GetExtension(path);
        write(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
