using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.RobustnessHost;

[PolyCom(Order = 3, Inner = "Norm", Type = 2)] public partial class PolyNorm { }

[PolyCom(Order = 3, Inner = "ReLU", Type = 1)] public partial class PolyReLU { }

/// <summary>
/// Runs one scenario and reports on standard output; the exit code says whether it went as the library promises
/// (0), or how it did not (1: a wrong result; 2: bad arguments). A crash shows as the signal's exit code.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args.Length == 0 ? Usage() : args[0] switch
            {
                "gc-stress" => GcStress(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4])),
                "memory" => Memory(args[1], args[2] == "scopes", int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])),
                "in-place" => InPlace(args[1], args[2]),
                "backward" => Backward(args[1]),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is IndexOutOfRangeException or FormatException)
        {
            return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: RobustnessHost gc-stress <norm|relu|tanh> <steps> <rows> <h> | memory <norm|eager-norm> <scopes|no-scopes> <steps> <rows> <h> | in-place <input|weight> <fused|eager> | backward <case>");
        return 2;
    }

    private static nn.Module<Tensor, Tensor>? Activation(string name) => name switch
    {
        "norm" => new PolyNorm(),
        "relu" => new PolyReLU(),
        _ => null,
    };

    // PolyNorm as the paper writes it, in eager TorchSharp ops, for the comparisons with eager.
    private static Tensor EagerPolyNorm(Tensor x, Tensor weight, Tensor bias)
    {
        Tensor Norm(Tensor u) => u * (u.pow(2).mean([-1], keepdim: true) + 1e-6).rsqrt();
        return weight[0] * Norm(x) + weight[1] * Norm(x.pow(2)) + weight[2] * Norm(x.pow(3)) + bias;
    }

    /// <summary>
    /// Forward and backward without dispose scopes while another thread collects garbage and runs finalizers
    /// without pause. The loop keeps its own tensors referenced: TorchSharp passes handles of unreferenced
    /// temporaries to native code in eager ops too, which is its own hazard, not the activation's.
    /// </summary>
    private static int GcStress(string activation, int steps, int rows, int h)
    {
        nn.Module<Tensor, Tensor>? module = Activation(activation);
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            Tensor x = randn(rows, h);
            x.requires_grad_();
            Tensor y = module is null ? x.tanh() : module.forward(x);
            Tensor loss = y.sum();
            loss.backward();
            GC.KeepAlive(x);
            GC.KeepAlive(y);
            GC.KeepAlive(loss);
        }
        stop.Cancel();
        Console.WriteLine($"ok: {steps} steps of {activation} at [{rows}, {h}] in {clock.Elapsed.TotalSeconds:F1} s, {GC.CollectionCount(0)} collections");
        return 0;
    }

    /// <summary>Resident memory growth over a training-like loop, with or without a dispose scope per step.</summary>
    private static int Memory(string activation, bool scopes, int steps, int rows, int h)
    {
        var module = new PolyNorm();
        Tensor weight = module.Weight, bias = module.Bias;
        long warm = 0, peak = 0, warmTensors = 0;
        for (int i = 0; i < steps; i++)
        {
            DisposeScope? scope = scopes ? NewDisposeScope() : null;
            Tensor x = randn(rows, h);
            x.requires_grad_();
            Tensor y = activation == "eager-norm" ? EagerPolyNorm(x, weight, bias) : module.forward(x);
            Tensor loss = y.sum();
            loss.backward();
            using (no_grad())
            {
                weight.grad!.zero_();
                bias.grad!.zero_();
            }
            scope?.Dispose();
            if (i == steps / 10)
            {
                warm = ResidentBytes();
                warmTensors = LiveTensors();
            }
            peak = Math.Max(peak, ResidentBytes());
        }
        long end = ResidentBytes();
        long endTensors = LiveTensors();
        Console.WriteLine($"memory: {activation} {(scopes ? "with" : "without")} scopes, {steps} steps at [{rows}, {h}]: " +
                          $"resident {warm / 1048576.0:F0} MiB after {steps / 10} steps, {end / 1048576.0:F0} MiB at the end (peak {peak / 1048576.0:F0} MiB), growth {(end - warm) / 1048576.0:F0} MiB; " +
                          $"tensors still alive after a full collection {(endTensors - warmTensors) / (double)(steps - steps / 10):F2} per step; {GC.CollectionCount(0)} collections");
        return 0;
    }

    // The tensors that are still reachable: a full collection with its finalizers first, so that the count does not depend
    // on when the garbage collector happened to run (it ran at other times on a loaded machine, and the counts moved).
    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.TotalCount;
    }

    private static long ResidentBytes() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;

    /// <summary>
    /// The input or the weight modified in place between forward and backward: backward must raise libtorch's
    /// in-place error as a catchable exception, as eager ops do.
    /// </summary>
    private static int InPlace(string what, string path)
    {
        var module = new PolyNorm();
        Tensor leaf = randn(4, 16);
        leaf.requires_grad_();
        Tensor x = leaf * 1.0; // not a leaf, so that it may be modified in place
        Tensor y = path == "eager" ? EagerPolyNorm(x, module.Weight, module.Bias) : module.forward(x);
        using (no_grad())
        {
            if (what == "input")
            {
                x.add_(1.0);
            }
            else
            {
                module.Weight.add_(1.0);
            }
        }
        try
        {
            Tensor loss = y.sum();
            loss.backward();
            Console.WriteLine("no exception: the in-place change went unnoticed");
            return 1;
        }
        catch (Exception e)
        {
            Console.WriteLine($"caught {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return 0;
        }
    }

    /// <summary>Backward in situations a user can create, each of which must give a correct result or a catchable error.</summary>
    private static int Backward(string scenario)
    {
        manual_seed(1);
        var module = new PolyNorm();
        module.to(float64);
        Tensor Reference(Tensor x) => EagerPolyNorm(x, module.Weight.detach(), module.Bias.detach());
        switch (scenario)
        {
            case "disposed-tensors":
            {
                // The user disposes the input and the output right after forward; the graph keeps what it needs.
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor x = leaf * 1.0;
                Tensor y = module.forward(x);
                Tensor loss = y.sum();
                x.Dispose();
                y.Dispose();
                loss.backward();
                return Verify(leaf, Reference, "after disposing the input and output");
            }
            case "module-moved":
            {
                // The module converted to float32 between forward and backward: the saved float64 parameters serve backward.
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor loss = module.forward(leaf).sum();
                Tensor expectedWeight = module.Weight.detach().clone();
                module.to(float32);
                loss.backward();
                return Verify(leaf, x => EagerPolyNorm(x, expectedWeight, zeros(1, dtype: float64)), "after moving the module to float32");
            }
            case "module-disposed":
            {
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor loss = module.forward(leaf).sum();
                Tensor weight = module.Weight.detach().clone();
                module.Dispose();
                loss.backward();
                return Verify(leaf, x => EagerPolyNorm(x, weight, zeros(1, dtype: float64)), "after disposing the module");
            }
            case "upstream-dtype":
            {
                // An upstream gradient of another dtype (float32 into a float64 output).
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor y = module.forward(leaf);
                Tensor upstream = ones(8, 32, dtype: float32);
                try
                {
                    y.backward([upstream]);
                }
                catch (Exception e)
                {
                    Console.WriteLine($"caught {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                    return 0;
                }
                return Verify(leaf, Reference, "with a float32 upstream gradient");
            }
            case "upstream-layouts":
            {
                // Expanded (stride 0), transposed and offset upstream gradients.
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor upstream = randn(32, 8, dtype: float64).t();
                module.forward(leaf).backward([upstream]);
                Tensor expected = leaf.detach().clone();
                expected.requires_grad_();
                Reference(expected).backward([upstream.contiguous()]);
                double error = (leaf.grad! - expected.grad!).abs().max().item<double>();
                Tensor leaf2 = randn(8, 32, dtype: float64);
                leaf2.requires_grad_();
                module.forward(leaf2).sum().backward(); // an expanded ones tensor arrives as the upstream gradient
                return Report(Math.Max(error, 0), Verify(leaf2, Reference, "with an expanded upstream gradient"), "transposed upstream gradient");
            }
            case "retain-graph":
            {
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor loss = module.forward(leaf).sum();
                loss.backward(retain_graph: true);
                Tensor first = leaf.grad!.clone();
                loss.backward();
                double error = (leaf.grad! - 2 * first).abs().max().item<double>();
                return Report(error, 0, "a second backward through a retained graph");
            }
            case "graph-freed":
            {
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor loss = module.forward(leaf).sum();
                loss.backward();
                try
                {
                    loss.backward();
                    Console.WriteLine("no exception from a second backward through a freed graph");
                    return 1;
                }
                catch (Exception e)
                {
                    Console.WriteLine($"caught {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                    return 0;
                }
            }
            case "differentiate-dx":
            {
                // dx from autograd.grad with create_graph (and retain_graph, which TorchSharp does not imply as PyTorch does), then differentiated itself (before the fix: an error inside
                // libtorch's engine, which aborted the process; or, through a gradient penalty, silently wrong values).
                Tensor leaf = randn(8, 32, dtype: float64);
                leaf.requires_grad_();
                Tensor dx = autograd.grad([module.forward(leaf).pow(2).sum()], [leaf], retain_graph: true, create_graph: true)[0];
                if (!dx.requires_grad)
                {
                    Console.WriteLine("WRONG: dx from create_graph does not require grad");
                    return 1;
                }
                dx.pow(2).sum().backward();
                Tensor expected = leaf.detach().clone();
                expected.requires_grad_();
                Tensor edx = autograd.grad([Reference(expected).pow(2).sum()], [expected], retain_graph: true, create_graph: true)[0];
                edx.pow(2).sum().backward();
                double error = (leaf.grad! - expected.grad!).abs().max().item<double>() / expected.grad!.abs().max().item<double>();
                return Report(error, 0, "of |dx|^2, differentiated through the backward");
            }
            default:
                return Usage();
        }
    }

    // Compares leaf.grad with the gradient of sum(reference(leaf)).
    private static int Verify(Tensor leaf, Func<Tensor, Tensor> reference, string what)
    {
        Tensor x = leaf.detach().clone();
        x.requires_grad_();
        reference(x).sum().backward();
        double error = (leaf.grad! - x.grad!).abs().max().item<double>() / x.grad!.abs().max().item<double>();
        return Report(error, 0, what);
    }

    private static int Report(double error, int previous, string what)
    {
        bool ok = error < 1e-10 && previous == 0;
        Console.WriteLine($"{(ok ? "ok" : "WRONG")}: dx {what}, relative error {error:E1}");
        return ok ? 0 : 1;
    }
}
