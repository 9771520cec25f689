using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The emitted PyTorch module of a spec with experts against the C# module (outputs, every gradient, its state_dict
/// loaded as it is) and against a loop of its twin's per-expert modules written in Python (experts_parity.py).
/// </summary>
[Trait("Category", "Python")]
public sealed class ExpertsTorchTests
{
    [SkippableTheory]
    [InlineData("PolyNormExperts", "PolyNorm")]
    [InlineData("GatedPolyNormExperts", "GatedNormType2Order3")]
    [InlineData("KatGroupedRationalExperts", "KatGroupedRational")]
    public void ThePythonModuleWithExpertsIsTheCSharpModuleAndItsTwinExpertByExpert(string name, string twin)
    {
        string python = PythonTorch.Require();
        string folder = Directory.CreateTempSubdirectory("pcg-experts-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            PolyComActivation activation = PolyComActivations.All.Single(a => a.Name == name), reference = PolyComActivations.All.Single(a => a.Name == twin);
            string module = Path.GetFileNameWithoutExtension(activation.WriteTorchModule(folder));
            string twinModule = Path.GetFileNameWithoutExtension(reference.WriteTorchModule(folder));
            var generator = new torch.Generator(77);
            nn.Module csharp = activation.CreateModule();
            Harness.Randomise(csharp, float64, generator);
            // Experts of 4, 0, 1 and 6 rows (as many as the module has).
            long[] counts = [.. new long[] { 4, 0, 1, 6 }.Take(activation.Spec.Experts)];
            long[] bounds = [0, .. counts.Select((_, i) => counts.Take(i + 1).Sum())];
            long[] shape = Harness.Shape(activation.Spec, bounds[^1], 12);
            Tensor x = Harness.Input(activation.Spec, shape, generator).requires_grad_(), dy = randn(shape, dtype: float64, generator: generator);
            Tensor? gate = Harness.Gate(activation.Spec, shape, generator)?.requires_grad_();
            Tensor offsets = tensor(bounds);
            Tensor y = activation.Spec.Gated
                ? ((nn.Module<Tensor, Tensor, Tensor, Tensor>)csharp).forward(x, gate!, offsets)
                : ((nn.Module<Tensor, Tensor, Tensor>)csharp).forward(x, offsets);
            y.backward([dy]);
            var tensors = new Dictionary<string, Tensor> { ["x"] = x.detach(), ["dy"] = dy, ["offsets"] = offsets, ["y"] = y.detach(), ["dx"] = x.grad! };
            if (gate is not null)
            {
                tensors["gate"] = gate.detach();
                tensors["dgate"] = gate.grad!;
            }
            foreach (var (key, parameter) in csharp.named_parameters())
            {
                tensors["p." + key] = parameter.detach();
                tensors["d." + key] = parameter.grad!;
            }
            string input = Path.Combine(folder, "input.pt");
            PyTorchPickler.PickleStateDict(input, tensors);

            var (exitCode, output) = PythonTorch.Run(python, folder, System.TimeSpan.FromMinutes(2),
                Path.Combine(PythonTorch.ScriptFolder, "experts_parity.py"), folder, module, name, twinModule, twin, input);

            Assert.True(exitCode == 0, $"experts_parity.py failed ({exitCode}):\n{output}");
            Assert.Contains("ok", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
