using System;
using System.CommandLine;
using System.Linq;
using PolyComGen.Samples.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples;

/// <summary>The <c>polycom</c> command line: checks, benchmarks and explores the declared activations.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("PolyComGen: fused polynomial-composition activations for TorchSharp. Without a command: check.");
        root.SetAction(_ => ReferenceCheck.Run(Console.Out));
        root.Add(CheckCommand());
        root.Add(BenchCommand());
        return root.Parse(args).Invoke();
    }

    private static Command CheckCommand()
    {
        var command = new Command("check", "Runs every declared activation forward and backward against the paper's formula (float64).");
        command.SetAction(_ => ReferenceCheck.Run(Console.Out));
        return command;
    }

    private static Command BenchCommand()
    {
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated shapes, e.g. 4096x4096,1024x16384.", DefaultValueFactory = _ => "4096x4096,1024x16384" };
        var variants = new Option<string>("--variants") { Description = "Comma-separated activation names.", DefaultValueFactory = _ => "PolyNorm,PolyReLU,PolyGELU" };
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
            var known = Catalogue.Activations.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            var chosen = result.GetValue(variants)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var unknown = chosen.Where(n => !known.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"Unknown variant(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Keys)}.");
                return 2;
            }
            long[][] shapeList;
            try
            {
                shapeList = result.GetValue(shapes)!.Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => s.Split('x').Select(long.Parse).ToArray())
                    .ToArray();
                if (shapeList.Length == 0 || shapeList.Any(s => s.Any(d => d <= 0)))
                {
                    throw new FormatException();
                }
            }
            catch (FormatException)
            {
                Console.Error.WriteLine("--shapes takes positive sizes like 4096x4096,1024x16384.");
                return 2;
            }
            var benchmark = new FusedVsEagerBenchmark
            {
                Variants = chosen.Select(n => known[n]).Select(a => new FusedVsEagerBenchmark.Variant(a.Name, a.Spec, a.Create)).ToList(),
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
