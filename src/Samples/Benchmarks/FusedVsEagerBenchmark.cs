using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PolyComGen.Backends.Cpu;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Benchmarks;

/// <summary>
/// Times each generated module against its formula as eager TorchSharp ops (the module's <c>EagerForward</c>,
/// generated from the same expressions, or, for the rationals, the published reference code's formulation in
/// <see cref="ReferenceBaselines"/>), side by side in one process: warm-up, then rounds in which every
/// contender runs once in turn, reporting medians. Memory kept for backward is read from the process's resident
/// set (Linux), less the output itself. Gated activations take a gate of x's shape, and their eager baseline is
/// the formula, then a multiply. The arithmetic floor runs the same CPU kernels over the same number of elements and
/// segments, but every call on one segment of data that stays in the core's cache (the time of the math alone), plus
/// the first touch of the step's fresh output pages; where it exceeds the copy's floor, it is the bound
/// (docs/benchmarks.md).
/// </summary>
public sealed class FusedVsEagerBenchmark
{
    /// <summary>One row of the table.</summary>
    public sealed record Row(
        string Shape, string Variant, double EagerForwardMs, double EagerStepMs, double FusedForwardMs, double FusedStepMs,
        double CopyGBps, long EagerSavedBytes, long FusedSavedBytes, bool Gated, double ArithmeticStepMs, double FirstTouchMs)
    {
        public double StepSpeedup => EagerStepMs / FusedStepMs;

        public double ForwardSpeedup => EagerForwardMs / FusedForwardMs;

        /// <summary>
        /// The tensor passes of the floor over the step time: 5 (forward: read x, write y; backward: read x and dy,
        /// write dx), or 8 for a gated activation (forward: read x and gate, write y; backward: read x, gate and dy,
        /// write dx and dgate).
        /// </summary>
        public double FusedStepGBps(long elements, bool gated) => (gated ? 8.0 : 5.0) * elements * sizeof(float) / (FusedStepMs * 1e6);

        /// <summary>The step's floor at the copy's speed: its tensor passes (<see cref="FusedStepGBps"/>) moved as fast as the copy moves them.</summary>
        public double MemoryFloorMs(long elements) => (Gated ? 8.0 : 5.0) * elements * sizeof(float) / (CopyGBps * 1e6);

        /// <summary>
        /// The step's arithmetic floor: the math alone, plus the first touch of its freshly allocated outputs (y, dx,
        /// and dgate when gated), which every contender pays (the OS zeroes each new page) and the arithmetic alone,
        /// writing into cached buffers, does not.
        /// </summary>
        public double ArithmeticFloorMs => ArithmeticStepMs + (Gated ? 3 : 2) * FirstTouchMs;

        /// <summary>The larger of the memory floor and the arithmetic floor: the best time the step could have.</summary>
        public double BoundMs(long elements) => Math.Max(MemoryFloorMs(elements), ArithmeticFloorMs);
    }

    public required IReadOnlyList<PolyComActivation> Variants { get; init; }
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
            Tensor gate = randn(shape);
            Tensor upstream = randn(shape);
            string shapeText = $"[{string.Join(", ", shape)}]";
            foreach (PolyComActivation variant in Variants)
            {
                progress.WriteLine($"  {shapeText} {variant.Name} ...");
                rows.Add(Measure(shapeText, variant, x, variant.Spec.Gated ? gate : null, upstream));
            }
        }
        return rows;
    }

    private Row Measure(string shape, PolyComActivation variant, Tensor x, Tensor? gate, Tensor upstream)
    {
        IPolyComModule module = variant.Create();
        Tensor[] parameters = ((nn.Module)module).parameters().ToArray<Tensor>();
        Func<Tensor, Tensor, Tensor> fused = gate is null
            ? (input, _) => ((nn.Module<Tensor, Tensor>)module).forward(input)
            : (input, g) => ((nn.Module<Tensor, Tensor, Tensor>)module).forward(input, g);
        Func<Tensor, Tensor, Tensor> eager = ReferenceBaselines.ByName.TryGetValue(variant.Name, out var baseline)
            ? (input, _) => baseline((nn.Module)module, input)
            : (input, g) => module.EagerForward(input, gate is null ? null : g);

        var arithmetic = new ArithmeticBound(module.Descriptor, x, gate, upstream, module.KernelParameters());
        var contenders = new (string Name, Action Run)[]
        {
            ("copy", () => { using Tensor c = x.clone(); }),
            ("arithmetic", arithmetic.Run),
            ("first touch", () => FirstTouch(x)),
            ("eager forward", () => Forward(eager)),
            ("fused forward", () => Forward(fused)),
            ("eager step", () => Step(eager)),
            ("fused step", () => Step(fused)),
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
            SavedForBackward(() => eager(x.detach().requires_grad_(), Input(gate))),
            SavedForBackward(() => fused(x.detach().requires_grad_(), Input(gate))),
            gate is not null,
            Median(samples["arithmetic"]),
            Median(samples["first touch"]));

        static Tensor Input(Tensor? t) => t is null ? null! : t.detach().requires_grad_();

        void Forward(Func<Tensor, Tensor, Tensor> forward)
        {
            using var s = NewDisposeScope();
            forward(x.detach().requires_grad_(), Input(gate));
        }

        // Forward, then the gradients of x (and the gate) and every parameter, as inside a network, where x is an
        // intermediate. (backward() on a leaf x would add a copy to the fused step alone: TorchSharp's C# handle on a
        // custom function's returned gradient keeps AccumulateGrad from adopting it.)
        void Step(Func<Tensor, Tensor, Tensor> forward)
        {
            using var s = NewDisposeScope();
            Tensor input = x.detach().requires_grad_();
            Tensor g = Input(gate);
            Tensor[] wrt = gate is null ? [input, .. parameters] : [input, g, .. parameters];
            autograd.grad([forward(input, g)], wrt, [upstream]);
        }
    }

    // A fresh tensor of x's size, one float written per 4 KiB page, by as many threads as the kernels use: what a
    // kernel pays for its output's new pages beyond writing them (the OS maps and zeroes each on first touch).
    private static void FirstTouch(Tensor x)
    {
        using Tensor y = empty_like(x);
        using Tensor pages = y.reshape(-1).slice(0, 0, y.numel(), 1024);
        int threads = Math.Max(1, get_num_threads());
        long count = pages.numel();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            using Tensor part = pages.narrow(0, count * t / threads, count * (t + 1) / threads - count * t / threads);
            part.fill_(0);
        });
    }

    /// <summary>
    /// The step's arithmetic alone: the forward and backward kernels called once per segment of x, as the CPU backend
    /// cuts it and on as many threads, but each thread always on the same first segment's data (x, the gate, dy and
    /// the outputs, a few hundred KiB at most), which stays in its core's cache. Partials are not summed: their
    /// reduction is a few numbers per segment.
    /// </summary>
    private sealed class ArithmeticBound
    {
        private readonly ICpuKernels kernels;
        private readonly CpuSegments layout;
        private readonly float[] x, gate, dy, parameters;
        private readonly int threads;

        public ArithmeticBound(KernelDescriptor descriptor, Tensor input, Tensor? gateInput, Tensor upstream, Tensor kernelParameters)
        {
            kernels = descriptor.Cpu;
            layout = CpuSegments.Of(descriptor, input.numel(), input.shape[^1]);
            int length = layout.SegmentLength;
            x = input.reshape(-1).narrow(0, 0, length).data<float>().ToArray();
            gate = gateInput is null ? [] : gateInput.reshape(-1).narrow(0, 0, length).data<float>().ToArray();
            dy = upstream.reshape(-1).narrow(0, 0, length).data<float>().ToArray();
            parameters = kernelParameters.detach().to_type(ScalarType.Float32).data<float>().ToArray();
            threads = Math.Max(1, get_num_threads());
        }

        public void Run() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int length = layout.SegmentLength;
            var output = new float[length];
            var dgate = new float[gate.Length];
            var partials = new float[layout.Columns];
            ReadOnlySpan<float> groupParameters = parameters.AsSpan(0, layout.Columns);
            for (long s = t; s < layout.Count; s += threads)
            {
                kernels.Forward(x, gate, output, groupParameters);
                kernels.Backward(x, gate, dy, output, dgate, groupParameters, partials);
            }
        });
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
            "| shape | variant | eager fwd ms | eager fwd+bwd ms | fused fwd ms | fused fwd+bwd ms | speedup fwd | speedup fwd+bwd | fused fwd+bwd GB/s | % of copy | arithmetic floor fwd+bwd ms | % of bound | saved for bwd, eager | saved for bwd, fused |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (Row row in rows)
        {
            long elements = shapes.First(s => $"[{string.Join(", ", s)}]" == row.Shape).Aggregate(1L, (a, b) => a * b);
            double gbps = row.FusedStepGBps(elements, row.Gated);
            lines.Add($"| {row.Shape} | {row.Variant} | {row.EagerForwardMs:F1} | {row.EagerStepMs:F1} | {row.FusedForwardMs:F1} | {row.FusedStepMs:F1} | " +
                      $"{row.ForwardSpeedup:F1}x | {row.StepSpeedup:F1}x | {gbps:F1} | {100 * gbps / row.CopyGBps:F0}% | " +
                      $"{row.ArithmeticFloorMs:F1} | {100 * row.BoundMs(elements) / row.FusedStepMs:F0}% | {Megabytes(row.EagerSavedBytes)} | {Megabytes(row.FusedSavedBytes)} |");
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
}
