using System;
using System.IO;
using System.Text.RegularExpressions;
using PolyComGen.Samples.Explorer;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The examples under torchrun, two processes over gloo on the CPU: train_ddp.py (DistributedDataParallel) and
/// train_tp.py (the FFN sharded over the ranks, tensor parallelism).
/// </summary>
[Trait("Category", "Python")]
public sealed class TorchrunExampleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-torchrun-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    public void TwoRanksTrainTheEmittedModuleAndEndWithIdenticalParameters()
    {
        string python = PythonTorch.Require();
        string modules = Path.Combine(folder, "modules");
        PolyComGen.Samples.PolyComActivations.All[0].WriteTorchModule(modules); // PolyNorm
        string saved = Path.Combine(folder, "ddp.pt");

        // torchrun as `python -m torch.distributed.run`; --redirects 1 --tee 1 works around PyTorch 1.13's launcher on
        // Python 3.11, whose default (0) it cannot parse (README, Training at scale).
        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(4),
            "-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2", "--redirects", "1", "--tee", "1",
            Path.Combine(PythonTorch.RepositoryRoot, "examples", "torch", "train_ddp.py"),
            "--activation", "PolyNorm", "--modules", modules, "--steps", "30", "--width", "32", "--layers", "1", "--heads", "2", "--seq", "32",
            "--batch", "8", "--save", saved);

        Assert.True(exitCode == 0, $"torchrun failed ({exitCode}):\n{output}");
        Match summary = Regex.Match(output, @"world 2, backend gloo, activation PolyNorm: loss ([0-9.]+) -> ([0-9.]+), largest parameter difference between ranks (\S+)");
        Assert.True(summary.Success, output);
        double first = double.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double last = double.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last < first - 0.1, $"the loss went from {first} to {last}");
        Assert.Equal("0", summary.Groups[3].Value);

        // What rank 0 saved loads into the C# model.
        using var scope = NewDisposeScope();
        var variant = ActivationVariant.Select(["PolyNorm"])[0];
        var model = new TinyTransformer(16, new ModelShape(32, 1, 2, 32), variant);
        model.load_py(saved);
        Tensor logits = model.forward(zeros([1, 32], dtype: int64));
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [SkippableFact]
    public void TheTensorParallelModelTrainsAsTheUnshardedOne()
    {
        string python = PythonTorch.Require();
        string modules = Path.Combine(folder, "modules");
        foreach (PolyComGen.PolyComActivation activation in PolyComGen.Samples.PolyComActivations.All)
        {
            if (activation.Name is "PolyNorm" or "PolyNormGLU")
            {
                activation.WriteTorchModule(modules);
            }
        }

        double Difference(string activation, params string[] more)
        {
            var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(4),
                ["-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2", "--redirects", "1", "--tee", "1",
                 Path.Combine(PythonTorch.RepositoryRoot, "examples", "torch", "train_tp.py"),
                 "--activation", activation, "--modules", modules, "--steps", "5", "--width", "48", "--layers", "2", "--heads", "2", "--seq", "32",
                 "--batch", "8", "--dtype", "float64", "--check", .. more]);
            Assert.True(exitCode == 0, $"torchrun failed ({exitCode}):\n{output}");
            Match summary = Regex.Match(output, $@"world 2, backend gloo, activation {activation}.*, float64, (\d+) hidden units per rank: .*unsharded model: largest loss difference (\S+) over 5 steps");
            Assert.True(summary.Success, output);
            Assert.Equal(activation == "PolyNormGLU" ? "64" : "96", summary.Groups[1].Value);
            return double.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(Difference("PolyNorm") < 1e-9);
        Assert.True(Difference("PolyNormGLU") < 1e-9);
        // The paper's Megatron PolyNorm normalises each shard alone: another function, which the comparison sees.
        Assert.True(Difference("PolyNorm", "--shard-local") > 1e-4);
    }
}
