using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PolyComGen.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Benchmarks;

/// <summary>
/// Times each generated module against the same formula as eager TorchSharp ops, side by side in one
/// process: warm-up, then rounds in which every contender runs once in turn, reporting medians. Memory
/// kept for backward is read from the process's resident set (Linux), less the output itself.
/// </summary>
public sealed class FusedVsEagerBenchmark
{
    /// <summary>One activation to measure.</summary>
    public sealed record Variant(string Name, PolyComSpec Spec, Func<nn.Module<Tensor, Tensor>> Create);

    /// <summary>One row of the table.</summary>
    public sealed record Row(
        string Shape, string Variant, double EagerForwardMs, double EagerStepMs, double FusedForwardMs, double FusedStepMs,
        double CopyGBps, long EagerSavedBytes, long FusedSavedBytes)
    {
        public double StepSpeedup => EagerStepMs / FusedStepMs;

        public double ForwardSpeedup => EagerForwardMs / FusedForwardMs;

        /// <summary>Five tensor passes (forward: read x, write y; backward: read x, dy, write dx) over the step time.</summary>
        public double FusedStepGBps(long elements) => 5.0 * elements * sizeof(float) / (FusedStepMs * 1e6);
    }

    public required IReadOnlyList<Variant> Variants { get; init; }
    public required IReadOnlyList<long[]> Shapes { get; init; }
    public int Rounds { get; init; } = 7;
    public int WarmupRounds { get; init; } = 2;

    public IReadOnlyList<Row> Run(TextWriter progress)
    {
        var rows = new List<Row>();
        foreach (long[] shape in Shapes)
        {
            using var scope = NewDisposeScope();
            manual_seed(0);
            Tensor x = randn(shape);
            Tensor upstream = randn(shape);
            string shapeText = $"[{string.Join(", ", shape)}]";
            foreach (Variant variant in Variants)
            {
                progress.WriteLine($"  {shapeText} {variant.Name} ...");
                rows.Add(Measure(shapeText, variant, x, upstream));
            }
        }
        return rows;
    }

    private Row Measure(string shape, Variant variant, Tensor x, Tensor upstream)
    {
        var module = variant.Create();
        var parameters = module.parameters().ToArray();
        Tensor weight = parameters[0], bias = parameters[1];

        var contenders = new (string Name, Action Run)[]
        {
            ("copy", () => { using Tensor c = x.clone(); }),
            ("eager forward", () => { using var s = NewDisposeScope(); PolyComReference.Forward(variant.Spec, x.detach().requires_grad_(), weight, bias); }),
            ("fused forward", () => { using var s = NewDisposeScope(); module.forward(x.detach().requires_grad_()); }),
            ("eager step", () => Step(input => PolyComReference.Forward(variant.Spec, input, weight, bias))),
            ("fused step", () => Step(module.forward)),
        };
        var samples = contenders.ToDictionary(c => c.Name, _ => new List<double>());
        for (int round = 0; round < WarmupRounds + Rounds; round++)
        {
            foreach (var (name, run) in contenders)
            {
                var clock = Stopwatch.StartNew();
                run();
                if (round >= WarmupRounds)
                {
                    samples[name].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        double copyMs = Median(samples["copy"]);
        long elements = x.numel();
        return new Row(
            shape, variant.Name,
            Median(samples["eager forward"]), Median(samples["eager step"]),
            Median(samples["fused forward"]), Median(samples["fused step"]),
            2.0 * elements * sizeof(float) / (copyMs * 1e6),
            SavedForBackward(() => PolyComReference.Forward(variant.Spec, x.detach().requires_grad_(), weight, bias)),
            SavedForBackward(() => module.forward(x.detach().requires_grad_())));

        // Forward, then the gradients of x, weight and bias, as inside a network, where x is an intermediate.
        // (backward() on a leaf x would add a copy to the fused step alone: TorchSharp's C# handle on a custom
        // function's output keeps AccumulateGrad from adopting it.)
        void Step(Func<Tensor, Tensor> forward)
        {
            using var s = NewDisposeScope();
            Tensor input = x.detach().requires_grad_();
            autograd.grad([forward(input)], [input, weight, bias], [upstream]);
        }
    }

    // Resident memory held while the output (and so its graph) is alive, less the output's own bytes.
    private static long SavedForBackward(Func<Tensor> forward)
    {
        using var scope = NewDisposeScope();
        GC.Collect();
        long before = ResidentBytes();
        Tensor y = forward();
        long after = ResidentBytes();
        return Math.Max(0, after - before - y.numel() * y.element_size());
    }

    private static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared ... in pages.
        string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The table as Markdown.</summary>
    public static string Format(IReadOnlyList<Row> rows, IReadOnlyList<long[]> shapes)
    {
        var lines = new List<string>
        {
            "| shape | variant | eager fwd ms | eager fwd+bwd ms | fused fwd ms | fused fwd+bwd ms | speedup fwd | speedup fwd+bwd | fused fwd+bwd GB/s | % of copy | saved for bwd, eager | saved for bwd, fused |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (Row row in rows)
        {
            long elements = shapes.First(s => $"[{string.Join(", ", s)}]" == row.Shape).Aggregate(1L, (a, b) => a * b);
            double gbps = row.FusedStepGBps(elements);
            lines.Add($"| {row.Shape} | {row.Variant} | {row.EagerForwardMs:F1} | {row.EagerStepMs:F1} | {row.FusedForwardMs:F1} | {row.FusedStepMs:F1} | " +
                      $"{row.ForwardSpeedup:F1}x | {row.StepSpeedup:F1}x | {gbps:F1} | {100 * gbps / row.CopyGBps:F0}% | {Megabytes(row.EagerSavedBytes)} | {Megabytes(row.FusedSavedBytes)} |");
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
}
