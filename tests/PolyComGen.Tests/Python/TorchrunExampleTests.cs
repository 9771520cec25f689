using System;
using System.IO;
using System.Text.RegularExpressions;
using PolyComGen.Samples.Explorer;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>examples/torch/train_ddp.py under torchrun: two processes, DistributedDataParallel over gloo, on the CPU.</summary>
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
}
