using System;
using System.CommandLine;
using System.Linq;
using System.IO;
using System.Threading;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Compiler;
using System.Collections.Generic;
using PolyComGen.Samples.Benchmarks;
using PolyComGen.Verification;
using PolyComGen.Samples.Explorer;
using PolyComGen.Samples.Plot;
using PolyComGen.Samples.Search;
using Spectre.Console;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>
/// The <c>polycom</c> command line: explores, searches, checks, benchmarks and emits activations: the tool's own,
/// declarations compiled at run time (<c>--variant</c>) and a compiled project's (<c>--assembly</c>).
/// </summary>
public static class Program
{
    // --variant and --assembly, which explore, check, bench and emit share.
    private static Option<string[]> VariantOption() => new("--variant")
    {
        Description = "An activation declared on the command line, compiled at run time: 'PolyCom(Order = 3, Inner = \"x * sigmoid(1.702 * x)\", Type = 1)' " +
                      "or 'Activation(\"...\", Parameters = \"...\")', optionally named 'Name: PolyCom(...)'. Repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<string?> AssemblyOption() => new("--assembly")
    {
        Description = "A compiled project (.dll) that references PolyComGen: its declared activations.",
    };

    private static IReadOnlyList<RunTimeActivation> RunTime(ParseResult result, Option<string[]> variant, Option<string?> assembly) =>
        RunTimeActivations.Load(result.GetValue(variant) ?? [], result.GetValue(assembly), System.Console.Error);

    // The built-in names of a --variants value: null gives the default, 'none' none.
    // "64,128,256" -> [64, 128, 256]; anything else is the explorer's clear error.
    private static IReadOnlyList<int> ParseWidths(string text) => text.Split(',').Select(w => int.TryParse(w.Trim(), out int width) && width > 0 ? width
        : throw new ExplorerException($"--ladder: '{w}' is not a positive width (write e.g. 64,128,256).")).ToList();

    private static IReadOnlyList<string> BuiltIns(string? text, IReadOnlyList<string> defaults) =>
        text is null ? defaults
        : text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? []
        : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static int Main(string[] args)
    {
        var root = new RootCommand("PolyComGen: fused polynomial-composition activations for TorchSharp. Without a command: explore.");
        Command explore = ExploreCommand();
        foreach (Option option in explore.Options)
        {
            root.Add(option);
        }
        root.Action = explore.Action;
        root.Add(explore);
        root.Add(SearchCommand());
        root.Add(EmitCommand());
        root.Add(CheckCommand());
        root.Add(BenchCommand());
        root.Add(AccuracyCommand());
        root.Add(TrafficCommand());
        root.Add(PlotCommand());
        root.Add(WheelCommand());
        return Run(root, args);
    }

    // A mistake on the command line, in its syntax or in a value, is a message on standard error and exit code 2.
    private static int Run(RootCommand root, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                System.Console.Error.WriteLine(error.Message);
            }
            System.Console.Error.WriteLine("Run 'polycom --help' for the commands and their options.");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is CommandLineException or ExplorerException or PolyComCompilationException)
        {
            System.Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static Command ExploreCommand()
    {
        ExplorerOptions defaults = ExplorerOptions.Default;
        var variants = new Option<string?>("--variants") { Description = $"Comma-separated built-in variants, or none (default: all; beside --variant or --assembly: {string.Join(",", ExplorerOptions.BaselinesBesideRunTime)}): {string.Join(", ", ActivationVariant.All.Select(v => v.Name))}." };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var steps = new Option<int>("--steps") { Description = "Training steps per variant.", DefaultValueFactory = _ => defaults.Steps };
        var width = new Option<int>("--width") { Description = "Model width.", DefaultValueFactory = _ => defaults.Width };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.Layers };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.Heads };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => defaults.SequenceLength };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed of the model, the data order and the Markov corpus.", DefaultValueFactory = _ => defaults.Seed };
        var seeds = new Option<int>("--seeds") { Description = "Model seeds per variant (--seed, --seed + 1, ...), on the same data: the table reports mean and standard deviation.", DefaultValueFactory = _ => defaults.Seeds };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => defaults.Device };
        var output = new Option<string>("--out") { Description = "Output folder for results.md, loss.png, rank.png, curves.csv, ranks.csv and curves.json.", DefaultValueFactory = _ => defaults.OutputFolder };
        var corpus = new Option<string?>("--corpus") { Description = "What to train on: a text file (byte-level), or 'markov' for the synthetic second-order Markov chain; by default the .NET SDK's reference documentation (real English text, found beside the running .NET, extracted once and cached)." };
        var ladder = new Option<string?>("--ladder") { Description = "Widths to train every variant at, e.g. 64,128,256, with the same tokens per parameter (heads scaled, head size kept): each width's effective speedup over the baseline and its trend with size, in ladder.md and ladder.png." };
        var baseline = new Option<string>("--baseline") { Description = "The variant the effective speedup is measured against (the steps it needs over the steps a variant needs for the same validation loss).", DefaultValueFactory = _ => defaults.Baseline };
        var experts = new Option<int>("--experts") { Description = "Turns every FFN into a mixture of this many experts of the variant (each with its own activation parameters; default 1: dense FFNs).", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { Description = "The experts each token is routed to, with --experts (default 2).", DefaultValueFactory = _ => 2 };
        var command = new Command("explore", "Trains a small transformer LM with each activation variant (and several model seeds) and compares the losses, the effective speedup over a baseline and the FFN effective ranks.")
        {
            variants, variant, assembly, steps, width, layers, heads, sequence, batch, learningRate, seed, seeds, device, output, corpus, baseline, ladder, experts, topK,
        };
        command.SetAction(result =>
        {
            var more = RunTime(result, variant, assembly).Select(a => ActivationVariant.Of(a.Activation, a.Declaration)).ToList();
            var options = new ExplorerOptions(
                [.. BuiltIns(result.GetValue(variants), more.Count > 0 ? ExplorerOptions.BaselinesBesideRunTime : defaults.Variants), .. more.Select(v => v.Name)],
                result.GetValue(steps), result.GetValue(width), result.GetValue(layers), result.GetValue(heads), result.GetValue(sequence),
                result.GetValue(batch), result.GetValue(learningRate), result.GetValue(seed), result.GetValue(device)!, result.GetValue(output)!,
                result.GetValue(corpus), result.GetValue(seeds), more, result.GetValue(baseline)!, result.GetValue(experts), Math.Min(result.GetValue(topK), Math.Max(1, result.GetValue(experts))));
            string? widths = result.GetValue(ladder);
            return Cancellable(cancellation =>
            {
                if (widths is not null)
                {
                    ExplorerLadder.Execute(options, ParseWidths(widths), Console(), cancellation);
                    return 0;
                }
                ExplorerRun.Execute(options, Console(), cancellation);
                return 0;
            });
        });
        return command;
    }

    private static Command SearchCommand()
    {
        SearchOptions defaults = SearchOptions.Default;
        var minutes = new Option<double>("--minutes") { Description = "The time budget in minutes, a deadline (a budget too small for the smallest search is refused with the smallest that works).", DefaultValueFactory = _ => defaults.Minutes };
        var seed = new Option<int>("--seed") { Description = "Seeds the candidates drawn, the models and the data: a seed repeats a search.", DefaultValueFactory = _ => defaults.Seed };
        var steps = new Option<int>("--steps") { Description = "Steps of a full run (the last rung and the final runs); the rungs before train a third and a ninth of it.", DefaultValueFactory = _ => defaults.Steps };
        var width = new Option<int>("--width") { Description = "Model width.", DefaultValueFactory = _ => defaults.Width };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.Layers };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.Heads };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => defaults.SequenceLength };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seeds = new Option<int>("--seeds") { Description = "Model seeds of the final runs.", DefaultValueFactory = _ => defaults.Seeds };
        var top = new Option<int>("--top") { Description = "How many of the best candidates the final runs retrain.", DefaultValueFactory = _ => defaults.Top };
        var output = new Option<string>("--out") { Description = "Results folder: results.md, best.png, candidates.csv, candidates.json, winners.cs.", DefaultValueFactory = _ => defaults.OutputFolder };
        var corpus = new Option<string?>("--corpus") { Description = "What to train on: a text file (byte-level), or 'markov' for the synthetic second-order Markov chain; by default the .NET SDK's reference documentation (real English text, found beside the running .NET, extracted once and cached)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the search recorded in --out: its runs are not trained again, --minutes is the new time." };
        var plant = new Option<string[]>("--plant") { Description = "A declaration to evaluate first among the candidates (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var transfer = new Option<int>("--transfer-width") { Description = "The second width of the final runs: a winner is kept only if its lead over SwiGLU holds at --width and at this one (default: twice --width)." };
        var candidates = new Option<int>("--candidates") { Description = "At most this many drawn candidates (default: as many as the budget holds)." };
        var command = new Command("search", "Searches the expression language: draws PolyComs at random, compiles them at run time, trains them with successive halving and retrains the best beside SwiGLU and PolyNorm at two widths, keeping those whose lead holds at both.")
        {
            minutes, seed, steps, width, layers, heads, sequence, batch, learningRate, seeds, top, output, corpus, resume, plant, transfer, candidates,
        };
        command.SetAction(result =>
        {
            var options = new SearchOptions(result.GetValue(minutes), result.GetValue(seed), result.GetValue(steps), result.GetValue(width), result.GetValue(layers),
                result.GetValue(heads), result.GetValue(sequence), result.GetValue(batch), result.GetValue(learningRate), result.GetValue(seeds), result.GetValue(top),
                result.GetValue(output)!, result.GetValue(corpus), result.GetValue(resume), result.GetValue(plant) ?? [], result.GetValue(transfer), result.GetValue(candidates));
            return Cancellable(cancellation =>
            {
                SearchRun.Execute(options, Console(), cancellation);
                return 0;
            });
        });
        return command;
    }

    // The console for tables and progress: a log or a pipe keeps rows whole rather than wrapped at 80 columns.
    private static IAnsiConsole Console()
    {
        IAnsiConsole console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 160;
        }
        return console;
    }

    // Runs a long command so that Ctrl+C stops it after the current step, and it still writes its outputs.
    private static int Cancellable(Func<CancellationToken, int> action)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler stop = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        System.Console.CancelKeyPress += stop;
        try
        {
            return action(cancellation.Token);
        }
        finally
        {
            System.Console.CancelKeyPress -= stop;
        }
    }

    private static Command WheelCommand()
    {
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var output = new Option<string>("--out") { Description = "The folder the wheel is written to.", DefaultValueFactory = _ => "dist" };
        var command = new Command("wheel", "Writes the Python wheel polycomgen: every built-in activation (and those of --variant and --assembly) as a PyTorch module, with an index (polycomgen.PolyNorm, polycomgen.load(\"PolyNorm\"), polycomgen.DECLARATIONS); pip install it.")
        {
            variant, assembly, output,
        };
        command.SetAction(result =>
        {
            var runTime = RunTime(result, variant, assembly).Select(a => a.Activation).ToList();
            Version version = typeof(Program).Assembly.GetName().Version ?? new Version(0, 1, 0);
            string path;
            try
            {
                path = PolyComGen.PyTorch.PythonWheel.Write(result.GetValue(output)!, [.. PolyComActivations.All, .. runTime], $"{version.Major}.{version.Minor}.{version.Build}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                System.Console.Error.WriteLine($"Cannot write the wheel: {e.Message}");
                return 2;
            }
            System.Console.WriteLine($"Wrote {path} ({PolyComActivations.All.Count + runTime.Count} activations): pip install {path}");
            return 0;
        });
        return command;
    }

    private static Command PlotCommand()
    {
        var names = new Argument<string[]>("variants")
        {
            Description = "Activations to draw (default: every built-in one, as a gallery): " + string.Join(", ", ActivationVariant.All.Select(v => v.Name)) + ".",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Instead, a trained model's learned activations, layer by layer, against the activation at its initialisation: an explorer checkpoint (OUT/checkpoints/NAME-seedS.pt)." };
        var range = new Option<string>("--range") { Description = "The range of x, FROM,TO.", DefaultValueFactory = _ => PlotRun.DefaultRange };
        var output = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "activations.png" };
        var command = new Command("plot", "Draws activations: y and dy/dx against x, from the modules' own fused kernels, to a PNG (one activation, a gallery of several, or a checkpoint's learned activations per layer).")
        {
            names, variant, assembly, checkpoint, range, output,
        };
        command.SetAction(result =>
        {
            var (from, to) = ActivationPlot.ParseRange(result.GetValue(range)!);
            string path = result.GetValue(output)!;
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            if (result.GetValue(checkpoint) is string file)
            {
                string drawn = PlotRun.Checkpoint(file, from, to, path);
                System.Console.WriteLine($"Wrote {path}: {drawn}.");
                return 0;
            }
            var more = RunTime(result, variant, assembly).Select(a => ActivationVariant.Of(a.Activation, a.Declaration)).ToList();
            string[] wanted = result.GetValue(names) ?? [];
            IReadOnlyList<ActivationVariant> chosen = wanted.Length > 0 ? ActivationVariant.Select(wanted, more)
                : more.Count > 0 ? more
                : ActivationVariant.All;
            if (chosen.FirstOrDefault(v => v.Spec is { Experts: > 1 }) is ActivationVariant experts)
            {
                throw new CommandLineException($"{experts.Name} has experts: draw the declaration without Experts (every expert starts as it).");
            }
            PlotRun.Variants(chosen, from, to, path);
            System.Console.WriteLine($"Wrote {path}: {string.Join(", ", chosen.Select(v => v.Name))}.");
            return 0;
        });
        return command;
    }

    private static Command EmitCommand()
    {
        var name = new Argument<string?>("variant") { Description = "A built-in activation: " + string.Join(", ", PolyComActivations.All.Select(a => a.Name)) + ".", Arity = ArgumentArity.ZeroOrOne };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var csharp = new Option<bool>("--csharp") { Description = "Also print the generated C# of the module." };
        var torchFolder = new Option<string?>("--torch") { Description = "Instead, write the activation as a self-contained PyTorch module (NAME.py, lower case) into this folder." };
        var command = new Command("emit", "Prints the generated CUDA source of an activation (a built-in one, --variant or one of --assembly), or writes its PyTorch module.")
        {
            name, variant, assembly, csharp, torchFolder,
        };
        command.SetAction(result =>
        {
            IReadOnlyList<RunTimeActivation> runTime = RunTime(result, variant, assembly);
            string? wanted = result.GetValue(name);
            var known = runTime.Select(a => a.Activation).Concat(PolyComActivations.All).ToList();
            PolyComActivation activation = (wanted, runTime.Count) switch
            {
                (null, 1) => runTime[0].Activation,
                (null, _) => throw new CommandLineException("Name one activation: a built-in one (" + string.Join(", ", PolyComActivations.All.Select(a => a.Name)) + "), or give one --variant."),
                _ => known.FirstOrDefault(a => string.Equals(a.Name, wanted, StringComparison.OrdinalIgnoreCase))
                     ?? throw new CommandLineException($"Unknown variant '{wanted}'. Known: {string.Join(", ", known.Select(a => a.Name))}."),
            };
            string? declaration = runTime.FirstOrDefault(a => a.Activation == activation)?.Declaration;
            if (result.GetValue(torchFolder) is string folder)
            {
                try
                {
                    string path = activation.WriteTorchModule(folder);
                    System.Console.WriteLine($"Wrote {path}: from {Path.GetFileNameWithoutExtension(path)} import {activation.Name}");
                    return 0;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    System.Console.Error.WriteLine($"Cannot write the PyTorch module into '{folder}': {e.Message}");
                    return 2;
                }
            }
            System.Console.Write(activation.CudaSource);
            if (result.GetValue(csharp))
            {
                string? source = declaration is not null
                    ? PolyComCompiler.GeneratedSource(declaration, activation.Name)
                    : BuiltInSource(activation);
                if (source is null)
                {
                    System.Console.Error.WriteLine($"No generated C# of {activation.Name} beside this tool (only the tool's own and --variant ones are kept).");
                    return 2;
                }
                System.Console.WriteLine();
                System.Console.Write(source);
            }
            return 0;
        });
        return command;
    }

    // The generated C# of a built-in activation, which the tool's build copies beside it.
    private static string? BuiltInSource(PolyComActivation activation)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "generated", $"PolyComGen.Samples.{activation.Name}.g.cs");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static Command CheckCommand()
    {
        var emulated = new Option<bool>("--cuda-emulated") { Description = "Instead, run every declared activation's CUDA kernels on the emulated device (float32, bfloat16, float16) against the float64 CPU kernels." };
        var shape = new Option<string>("--shape") { Description = "The input shape of the kernel checks.", DefaultValueFactory = _ => "64x1031" };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var command = new Command("check", "Checks each activation's CPU kernels (float32) against its float64 CPU kernels, and those against its formula as eager ops: the built-in ones, or those of --variant and --assembly.")
        {
            emulated, shape, variant, assembly,
        };
        command.SetAction(result =>
        {
            long[] dims = CommandLineValues.Shape("--shape", result.GetValue(shape)!);
            IReadOnlyList<RunTimeActivation> runTime = RunTime(result, variant, assembly);
            IReadOnlyList<PolyComActivation> activations = runTime.Count > 0 ? runTime.Select(a => a.Activation).ToList() : PolyComActivations.All;
            if (result.GetValue(emulated))
            {
                if (!CudaEmulator.IsAvailable(out string reason))
                {
                    System.Console.Error.WriteLine($"The emulated CUDA device is not available: {reason}.");
                    return 2;
                }
                return KernelParityCheck.Run(System.Console.Out, new BackendTarget(new EmulatedCudaBackend()), StorageFormat.All, dims, activations);
            }
            int kernels = KernelParityCheck.Run(System.Console.Out, new BackendTarget(CpuBackend.Instance), [StorageFormat.Float32], dims, activations);
            System.Console.WriteLine();
            int formula = ReferenceCheck.Run(System.Console.Out, activations);
            return Math.Max(kernels, formula);
        });
        return command;
    }

    private static Command TrafficCommand()
    {
        var lengths = new Option<string>("--lengths") { Description = "Row lengths, comma-separated.", DefaultValueFactory = _ => "1024,4096,8192,16384" };
        var rows = new Option<long>("--rows") { Description = "Rows per launch (traffic does not need many).", DefaultValueFactory = _ => 4 };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var command = new Command("traffic", "Counts the global-memory traffic of each activation's CUDA kernels on the emulated device (float32 and bfloat16): the reads and writes of every tensor per launch against the floor, and the bandwidth ceiling it predicts; prints a Markdown table.")
        {
            lengths, rows, variant, assembly,
        };
        command.SetAction(result =>
        {
            if (!CudaEmulator.IsAvailable(out string reason))
            {
                System.Console.Error.WriteLine($"The emulated CUDA device is not available: {reason}.");
                return 2;
            }
            long[] hs = result.GetValue(lengths)!.Split(',').Select(l => long.TryParse(l.Trim(), out long h) && h > 0 ? h
                : throw new CommandLineException($"--lengths: '{l}' is not a positive row length.")).ToArray();
            long count = result.GetValue(rows) is long r and > 0 ? r : throw new CommandLineException("--rows must be at least 1.");
            IReadOnlyList<RunTimeActivation> runTime = RunTime(result, variant, assembly);
            IReadOnlyList<PolyComActivation> activations = runTime.Count > 0 ? runTime.Select(a => a.Activation).ToList() : PolyComActivations.All;
            TrafficTable.Write(System.Console.Out, activations, [StorageFormat.Float32, StorageFormat.BFloat16], hs, count);
            return 0;
        });
        return command;
    }

    private static Command AccuracyCommand()
    {
        var stride = new Option<long>("--stride") { Description = "Sample every N-th float32 bit pattern (256: 2^24 samples, every binade).", DefaultValueFactory = _ => 256 };
        var command = new Command("accuracy", "Measures the float32 vector math of the CPU kernels (exp, expm1, log, log1p, tanh, sigmoid, softplus, erf) against float64, in ulp, and prints a Markdown table.") { stride };
        command.SetAction(result =>
        {
            long every = result.GetValue(stride);
            if (every <= 0 || every > 1L << 31)
            {
                throw new CommandLineException($"--stride must be between 1 and 2^31 (got {every}).");
            }
            System.Console.WriteLine($"float32 vector math ({System.Numerics.Vector<float>.Count} lanes) against float64: every {every}-th bit pattern and the special values");
            var results = MathAccuracy.Functions.Select(f => MathAccuracy.Measure(f, every)).ToList();
            System.Console.Write(MathAccuracy.Table(results));
            return results.All(r => r.Passed) ? 0 : 1;
        });
        return command;
    }

    private static Command BenchCommand()
    {
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated shapes, e.g. 4096x4096,1024x16384.", DefaultValueFactory = _ => "4096x4096,1024x16384" };
        var variants = new Option<string?>("--variants") { Description = "Comma-separated built-in activations, or none (default: PolyNorm,PolyReLU,PolyGELU,PAU,KAT; none beside --variant or --assembly)." };
        Option<string[]> variant = VariantOption();
        Option<string?> assembly = AssemblyOption();
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per contender (medians are reported).", DefaultValueFactory = _ => 7 };
        var threads = new Option<int>("--threads") { Description = "Threads for TorchSharp and the fused kernels (0: TorchSharp's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Times the fused kernels against eager TorchSharp (fp32, order 3) and prints a Markdown table.") { shapes, variants, variant, assembly, rounds, threads };
        command.SetAction(result =>
        {
            int threadCount = result.GetValue(threads);
            if (result.GetValue(rounds) <= 0 || threadCount < 0)
            {
                System.Console.Error.WriteLine("--rounds must be positive and --threads non-negative.");
                return 2;
            }
            if (threadCount > 0)
            {
                set_num_threads(threadCount);
            }
            IReadOnlyList<RunTimeActivation> runTime = RunTime(result, variant, assembly);
            var known = PolyComActivations.All.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            var chosen = BuiltIns(result.GetValue(variants), runTime.Count > 0 ? [] : ["PolyNorm", "PolyReLU", "PolyGELU", "PAU", "KAT"]).ToList();
            var unknown = chosen.Where(n => !known.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
            {
                System.Console.Error.WriteLine($"Unknown variant(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Keys)}.");
                return 2;
            }
            long[][] shapeList = CommandLineValues.Shapes("--shapes", result.GetValue(shapes)!);
            var benchmark = new FusedVsEagerBenchmark
            {
                Variants = [.. chosen.Select(n => known[n]), .. runTime.Select(a => a.Activation)],
                Shapes = shapeList,
                Rounds = result.GetValue(rounds),
            };
            System.Console.WriteLine($"Fused vs eager, float32, {get_num_threads()} thread(s), {Environment.ProcessorCount} processor(s), {benchmark.Rounds} rounds (medians)");
            var rows = benchmark.Run(System.Console.Error);
            System.Console.WriteLine(FusedVsEagerBenchmark.Format(rows, shapeList));
            return 0;
        });
        return command;
    }
}
