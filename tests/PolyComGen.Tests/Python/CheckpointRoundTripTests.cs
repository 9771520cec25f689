using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using PolyComGen.Samples.Explorer;
using PolyComGen.Tests.Support;
using Spectre.Console;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// Checkpoints both ways: the explorer trains and saves; PyTorch loads the same parameters into the same model and
/// gets the same logits, trains further and saves; the C# model loads that and gets PyTorch's logits.
/// </summary>
[Trait("Category", "Python")]
public sealed class CheckpointRoundTripTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableTheory]
    [InlineData("PolyNorm")]
    [InlineData("PolyReLUGLU")]
    [InlineData("SwiGLU")]
    public void ExplorerCheckpointsMoveToPyTorchAndBack(string variant)
    {
        string python = PythonTorch.Require();
        var options = ExplorerOptions.Default with
        {
            Variants = [variant], Steps = 15, Width = 32, Layers = 2, Heads = 2, SequenceLength = 32, BatchSize = 4, OutputFolder = folder,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No });
        ExplorerRun.Execute(options, console, CancellationToken.None);
        string checkpoint = Checkpoint.PathOf(Path.Combine(folder, "checkpoints"), variant, 0);
        string modules = Path.Combine(folder, "modules");
        foreach (PolyComActivation activation in PolyComGen.Samples.PolyComActivations.All.Where(a => a.Name == variant))
        {
            activation.WriteTorchModule(modules);
        }

        using var scope = NewDisposeScope();
        TinyTransformer model = Checkpoint.Load(checkpoint);
        model.eval();
        Tensor ids = randint(0, 16, [3, 32], dtype: int64, generator: new torch.Generator(5));
        PyTorchPickler.PickleStateDict(Path.Combine(folder, "ids.pt"), new Dictionary<string, Tensor> { ["ids"] = ids });
        Tensor logits;
        using (no_grad())
        {
            logits = model.forward(ids);
        }

        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(2),
            Path.Combine(PythonTorch.ScriptFolder, "checkpoint_roundtrip.py"), checkpoint, modules, Path.Combine(folder, "ids.pt"), folder);
        Assert.True(exitCode == 0, $"checkpoint_roundtrip.py failed ({exitCode}):\n{output}");

        // PyTorch holds exactly the C# parameters, under the same keys, and computes the same logits.
        Hashtable loaded = PyTorchUnpickler.UnpickleStateDict(Path.Combine(folder, "loaded.pt"));
        var state = model.state_dict();
        Assert.Equal(state.Keys.OrderBy(k => k, StringComparer.Ordinal), loaded.Keys.Cast<string>().OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (key, value) in state)
        {
            Compare.BitwiseEqual((Tensor)loaded[key]!, value.detach(), key);
        }
        Compare.Close(Logits("logits.pt"), logits, 1e-5, $"{variant} logits in PyTorch");

        // And back: PyTorch's trained state_dict loads into the C# model, which then computes PyTorch's logits.
        TinyTransformer trained = Checkpoint.Load(checkpoint);
        trained.load_py(Path.Combine(folder, "trained.pt"));
        trained.eval();
        Tensor after;
        using (no_grad())
        {
            after = trained.forward(ids);
        }
        Assert.True((after - logits).abs().max().item<float>() > 1e-4, "PyTorch's five steps should have changed the model");
        Compare.Close(Logits("logits_after.pt"), after, 1e-5, $"{variant} logits after training in PyTorch");
    }

    private Tensor Logits(string file) => (Tensor)PyTorchUnpickler.UnpickleStateDict(Path.Combine(folder, file))["logits"]!;
}
