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
    double LearningRate, int Seed, string Device, string OutputFolder, string? CorpusFile)
{
    /// <summary>The default run: every variant, sized to finish in a few minutes on two CPU cores.</summary>
    public static ExplorerOptions Default => new(
        ActivationVariant.All.Select(v => v.Name).ToList(), Steps: 800, Width: 64, Layers: 2, Heads: 4, SequenceLength: 64,
        BatchSize: 16, LearningRate: 3e-3, Seed: 0, Device: "auto", OutputFolder: "explore-out", CorpusFile: null);
}

/// <summary>The files a run wrote.</summary>
public sealed record ExplorerOutputs(string Table, string Plot, string CurvesCsv, string CurvesJson);

/// <summary>
/// Trains the chosen variants one after another with the same seed, data and hyperparameters, shows live
/// progress, then writes a table, a loss plot and the curves. Checks every input before training, so a bad
/// one costs nothing and writes nothing; a cancellation stops after the current step and writes what there is.
/// </summary>
public static class ExplorerRun
{
    public static (IReadOnlyList<VariantResult> Results, ExplorerOutputs Outputs) Execute(ExplorerOptions options, IAnsiConsole console, CancellationToken cancellation)
    {
        foreach (var (name, value) in new[] { ("--steps", options.Steps), ("--width", options.Width), ("--layers", options.Layers), ("--heads", options.Heads), ("--seq", options.SequenceLength), ("--batch", options.BatchSize) })
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
        IReadOnlyList<ActivationVariant> variants = ActivationVariant.Select(options.Variants);
        Device device = ResolveDevice(options.Device);
        CheckWritable(options.OutputFolder);
        Corpus corpus = options.CorpusFile is null ? Corpus.Synthetic(options.Seed + 1) : Corpus.FromFile(options.CorpusFile);
        if (corpus.Train.Length <= options.SequenceLength + 1 || corpus.Validation.Length <= options.SequenceLength + 1)
        {
            throw new ExplorerException($"The corpus is too short for --seq {options.SequenceLength}: {corpus.Train.Length} training and {corpus.Validation.Length} validation tokens.");
        }
        var shape = new ModelShape(options.Width, options.Layers, options.Heads, options.SequenceLength);
        if (shape.Width % shape.Heads != 0)
        {
            throw new ExplorerException($"--width ({shape.Width}) must be a multiple of --heads ({shape.Heads}).");
        }
        var training = new TrainingOptions(options.Steps, options.BatchSize, options.LearningRate, options.Seed, device);

        console.MarkupLine($"[bold]PolyComGen explorer[/]: {Markup.Escape(corpus.Description)}");
        console.MarkupLine(corpus.EntropyFloor is double floor
            ? $"Entropy floor of the corpus: [bold]{floor:F3}[/] nats/token (a perfect model's loss); uniform guessing: {Math.Log(corpus.VocabularySize):F3}."
            : $"Uniform guessing: {Math.Log(corpus.VocabularySize):F3} nats/token (no entropy floor is known for a user corpus).");
        console.MarkupLine($"Model: width {shape.Width}, {shape.Layers} layers, {shape.Heads} heads, sequence {shape.SequenceLength}; " +
                           $"batch {training.BatchSize}, {training.Steps} steps, AdamW lr {training.LearningRate} (warm-up, cosine), on {device.type}.");

        var results = new List<VariantResult>();
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = variants.ToDictionary(v => v.Name, v => context.AddTask(Markup.Escape(v.Name), autoStart: false, maxValue: training.Steps));
                foreach (ActivationVariant variant in variants)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        break;
                    }
                    ProgressTask task = tasks[variant.Name];
                    task.StartTask();
                    results.Add(Trainer.Train(variant, corpus, shape, training, (step, loss, speed) =>
                    {
                        task.Value = step;
                        task.Description = $"{Markup.Escape(variant.Name),-9} step {step,5}  loss {loss:F3}  {speed,8:F0} tok/s";
                    }, cancellation));
                    task.StopTask();
                }
            });

        ExplorerOutputs outputs = Write(options.OutputFolder, results, corpus, variants);
        console.Write(SummaryTable(results, corpus));
        console.MarkupLine(cancellation.IsCancellationRequested ? "[yellow]Stopped early: the outputs hold the steps that ran.[/]" : "");
        console.MarkupLine($"Wrote {Markup.Escape(outputs.Table)}, {Markup.Escape(outputs.Plot)}, {Markup.Escape(outputs.CurvesCsv)} and {Markup.Escape(outputs.CurvesJson)}.");
        return (results, outputs);
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

    /// <summary>The best variant: the lowest validation loss among those that finished.</summary>
    public static string? Best(IReadOnlyList<VariantResult> results) =>
        results.Where(r => double.IsFinite(r.ValidationLoss)).OrderBy(r => r.ValidationLoss).FirstOrDefault()?.Variant;

    private static Table SummaryTable(IReadOnlyList<VariantResult> results, Corpus corpus)
    {
        var table = new Table().AddColumns("variant", "parameters", "train loss", "validation loss", "tokens/s", "wall time");
        string? best = Best(results);
        foreach (VariantResult r in results)
        {
            string mark = r.Variant == best ? " [green](best)[/]" : "";
            table.AddRow(Markup.Escape(r.Variant) + mark, r.Parameters.ToString("N0", CultureInfo.InvariantCulture), r.FinalTrainLoss.ToString("F3", CultureInfo.InvariantCulture),
                r.ValidationLoss.ToString("F3", CultureInfo.InvariantCulture), r.TokensPerSecond.ToString("F0", CultureInfo.InvariantCulture), $"{r.WallTime.TotalSeconds:F1} s");
        }
        if (corpus.EntropyFloor is double floor)
        {
            table.Caption($"entropy floor {floor:F3} nats/token");
        }
        return table;
    }

    /// <summary>The table as Markdown, as written to results.md.</summary>
    public static string MarkdownTable(IReadOnlyList<VariantResult> results, Corpus corpus)
    {
        var text = new StringBuilder();
        string? best = Best(results);
        string floor = corpus.EntropyFloor is double f ? string.Create(CultureInfo.InvariantCulture, $"; entropy floor {f:F3} nats/token.") : ".";
        text.AppendLine($"Corpus: {corpus.Description}{floor}");
        text.AppendLine();
        text.AppendLine("| variant | parameters | train loss | validation loss | tokens/s | wall time |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (VariantResult r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Variant}{(r.Variant == best ? " (best)" : "")}{(r.Completed ? "" : " (stopped)")} | {r.Parameters:N0} | {r.FinalTrainLoss:F3} | {r.ValidationLoss:F3} | {r.TokensPerSecond:F0} | {r.WallTime.TotalSeconds:F1} s |");
        }
        return text.ToString();
    }

    private static ExplorerOutputs Write(string folder, IReadOnlyList<VariantResult> results, Corpus corpus, IReadOnlyList<ActivationVariant> variants)
    {
        var outputs = new ExplorerOutputs(
            Path.Combine(folder, "results.md"), Path.Combine(folder, "loss.png"), Path.Combine(folder, "curves.csv"), Path.Combine(folder, "curves.json"));
        WriteAtomically(outputs.Table, path => File.WriteAllText(path, MarkdownTable(results, corpus)));
        WriteAtomically(outputs.CurvesCsv, path =>
        {
            var csv = new StringBuilder("variant,step,train_loss\n");
            foreach (VariantResult r in results)
            {
                for (int i = 0; i < r.TrainLoss.Count; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{r.Variant},{i + 1},{r.TrainLoss[i]:R}\n");
                }
            }
            File.WriteAllText(path, csv.ToString());
        });
        WriteAtomically(outputs.CurvesJson, path => File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            corpus = corpus.Description,
            entropyFloor = corpus.EntropyFloor,
            best = Best(results),
            variants = results.Select(r => new
            {
                name = r.Variant,
                description = variants.First(v => v.Name == r.Variant).Description,
                parameters = r.Parameters,
                finalTrainLoss = r.FinalTrainLoss,
                validationLoss = r.ValidationLoss,
                tokensPerSecond = r.TokensPerSecond,
                wallSeconds = r.WallTime.TotalSeconds,
                completed = r.Completed,
                trainLoss = r.TrainLoss,
            }),
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })));
        WriteAtomically(outputs.Plot, path => LossPlot.Save(path, results, corpus.EntropyFloor));
        return outputs;
    }

    // Each file appears whole or not at all: written beside its name, then renamed over it.
    private static void WriteAtomically(string path, Action<string> write)
    {
        string temporary = path + ".partial" + Path.GetExtension(path);
        write(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
