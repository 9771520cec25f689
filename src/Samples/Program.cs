using System;
using System.CommandLine;
using System.Linq;
using System.IO;
using System.Threading;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Samples.Benchmarks;
using PolyComGen.Verification;
using PolyComGen.Samples.Explorer;
using Spectre.Console;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>The <c>polycom</c> command line: checks, benchmarks and explores the declared activations.</summary>
public static class Program
{
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
        root.Add(EmitCommand());
        root.Add(CheckCommand());
        root.Add(BenchCommand());
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
                Console.Error.WriteLine(error.Message);
            }
            Console.Error.WriteLine("Run 'polycom --help' for the commands and their options.");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is CommandLineException or ExplorerException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static Command ExploreCommand()
    {
        ExplorerOptions defaults = ExplorerOptions.Default;
        var variants = new Option<string>("--variants") { Description = $"Comma-separated variants (default: all): {string.Join(", ", ActivationVariant.All.Select(v => v.Name))}.", DefaultValueFactory = _ => string.Join(",", defaults.Variants) };
        var steps = new Option<int>("--steps") { Description = "Training steps per variant.", DefaultValueFactory = _ => defaults.Steps };
        var width = new Option<int>("--width") { Description = "Model width.", DefaultValueFactory = _ => defaults.Width };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.Layers };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.Heads };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => defaults.SequenceLength };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed of the model, the data order and the synthetic corpus.", DefaultValueFactory = _ => defaults.Seed };
        var seeds = new Option<int>("--seeds") { Description = "Model seeds per variant (--seed, --seed + 1, ...), on the same data: the table reports mean and standard deviation.", DefaultValueFactory = _ => defaults.Seeds };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => defaults.Device };
        var output = new Option<string>("--out") { Description = "Output folder for results.md, loss.png, rank.png, curves.csv, ranks.csv and curves.json.", DefaultValueFactory = _ => defaults.OutputFolder };
        var corpus = new Option<string?>("--corpus") { Description = "A text file to train on, byte-level, instead of the synthetic corpus." };
        var command = new Command("explore", "Trains a small transformer LM with each activation variant (and several model seeds) and compares the losses and the FFN effective ranks.")
        {
            variants, steps, width, layers, heads, sequence, batch, learningRate, seed, seeds, device, output, corpus,
        };
        command.SetAction(result =>
        {
            var options = new ExplorerOptions(
                result.GetValue(variants)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                result.GetValue(steps), result.GetValue(width), result.GetValue(layers), result.GetValue(heads), result.GetValue(sequence),
                result.GetValue(batch), result.GetValue(learningRate), result.GetValue(seed), result.GetValue(device)!, result.GetValue(output)!,
                result.GetValue(corpus), result.GetValue(seeds));
            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) =>
            {
                e.Cancel = true; // finish the current step, then write what there is
                cancellation.Cancel();
            };
            Console.CancelKeyPress += stop;
            try
            {
                IAnsiConsole console = AnsiConsole.Console;
                if (Console.IsOutputRedirected)
                {
                    console.Profile.Width = 160; // a log or a pipe: keep the table's rows whole rather than wrapped at 80 columns
                }
                ExplorerRun.Execute(options, console, cancellation.Token);
                return 0;
            }
            finally
            {
                Console.CancelKeyPress -= stop;
            }
        });
        return command;
    }

    private static Command EmitCommand()
    {
        var variant = new Argument<string>("variant") { Description = "A [PolyCom] class of this sample: " + string.Join(", ", PolyComActivations.All.Select(a => a.Name)) + "." };
        var csharp = new Option<bool>("--csharp") { Description = "Also print the generated C# of the module (from the build's emitted files)." };
        var torchFolder = new Option<string?>("--torch") { Description = "Instead, write the activation as a self-contained PyTorch module (NAME.py, lower case) into this folder." };
        var command = new Command("emit", "Prints the generated CUDA source of a declared variant, or writes its PyTorch module.") { variant, csharp, torchFolder };
        command.SetAction(result =>
        {
            string name = result.GetValue(variant)!;
            PolyComActivation? activation = PolyComActivations.All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
            if (activation is null)
            {
                Console.Error.WriteLine($"Unknown variant '{name}'. Declared variants: {string.Join(", ", PolyComActivations.All.Select(a => a.Name))}.");
                return 2;
            }
            if (result.GetValue(torchFolder) is string folder)
            {
                try
                {
                    string path = activation.WriteTorchModule(folder);
                    Console.WriteLine($"Wrote {path}: from {Path.GetFileNameWithoutExtension(path)} import {activation.Name}");
                    return 0;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    Console.Error.WriteLine($"Cannot write the PyTorch module into '{folder}': {e.Message}");
                    return 2;
                }
            }
            Console.Write(activation.CudaSource);
            if (result.GetValue(csharp))
            {
                string path = Path.Combine(AppContext.BaseDirectory, "generated", $"PolyComGen.Samples.{activation.Name}.g.cs");
                if (!File.Exists(path))
                {
                    Console.Error.WriteLine($"No generated C# at {path}; the sample's build copies it there.");
                    return 2;
                }
                Console.WriteLine();
                Console.Write(File.ReadAllText(path));
            }
            return 0;
        });
        return command;
    }

    private static Command CheckCommand()
    {
        var emulated = new Option<bool>("--cuda-emulated") { Description = "Instead, run every declared activation's CUDA kernels on the emulated device (float32, bfloat16, float16) against the float64 CPU kernels." };
        var shape = new Option<string>("--shape") { Description = "The input shape of the kernel checks.", DefaultValueFactory = _ => "64x1031" };
        var command = new Command("check", "Checks every declared activation's CPU kernels (float32) against its float64 CPU kernels, and those against the paper's formula as eager ops.") { emulated, shape };
        command.SetAction(result =>
        {
            long[] dims = CommandLineValues.Shape("--shape", result.GetValue(shape)!);
            if (result.GetValue(emulated))
            {
                if (!CudaEmulator.IsAvailable(out string reason))
                {
                    Console.Error.WriteLine($"The emulated CUDA device is not available: {reason}.");
                    return 2;
                }
                return KernelParityCheck.Run(Console.Out, new BackendTarget(new EmulatedCudaBackend()), StorageFormat.All, dims);
            }
            int kernels = KernelParityCheck.Run(Console.Out, new BackendTarget(CpuBackend.Instance), [StorageFormat.Float32], dims);
            Console.WriteLine();
            int formula = ReferenceCheck.Run(Console.Out);
            return Math.Max(kernels, formula);
        });
        return command;
    }

    private static Command BenchCommand()
    {
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated shapes, e.g. 4096x4096,1024x16384.", DefaultValueFactory = _ => "4096x4096,1024x16384" };
        var variants = new Option<string>("--variants") { Description = "Comma-separated activation names.", DefaultValueFactory = _ => "PolyNorm,PolyReLU,PolyGELU,PAU,KAT" };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per contender (medians are reported).", DefaultValueFactory = _ => 7 };
        var threads = new Option<int>("--threads") { Description = "Threads for TorchSharp and the fused kernels (0: TorchSharp's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Times the fused kernels against eager TorchSharp (fp32, order 3) and prints a Markdown table.") { shapes, variants, rounds, threads };
        command.SetAction(result =>
        {
            int threadCount = result.GetValue(threads);
            if (result.GetValue(rounds) <= 0 || threadCount < 0)
            {
                Console.Error.WriteLine("--rounds must be positive and --threads non-negative.");
                return 2;
            }
            if (threadCount > 0)
            {
                set_num_threads(threadCount);
            }
            var known = PolyComActivations.All.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            var chosen = result.GetValue(variants)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var unknown = chosen.Where(n => !known.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"Unknown variant(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Keys)}.");
                return 2;
            }
            long[][] shapeList = CommandLineValues.Shapes("--shapes", result.GetValue(shapes)!);
            var benchmark = new FusedVsEagerBenchmark
            {
                Variants = chosen.Select(n => known[n]).ToList(),
                Shapes = shapeList,
                Rounds = result.GetValue(rounds),
            };
            Console.WriteLine($"Fused vs eager, float32, {get_num_threads()} thread(s), {Environment.ProcessorCount} processor(s), {benchmark.Rounds} rounds (medians)");
            var rows = benchmark.Run(Console.Error);
            Console.WriteLine(FusedVsEagerBenchmark.Format(rows, shapeList));
            return 0;
        });
        return command;
    }
}
