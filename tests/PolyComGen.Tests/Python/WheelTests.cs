using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PolyComGen.PyTorch;
using PolyComGen.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The Python wheel: built from the tool's built-in activations, installed with pip into a fresh virtual environment
/// (beside the system's PyTorch), and each class imported from it run forward and backward against the C# module.
/// </summary>
[Trait("Category", "Python")]
public sealed class WheelTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-wheel-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    public void TheWheelInstallsInAFreshVenvAndEveryModuleEqualsTheCSharpModule()
    {
        string python = PythonTorch.Require();
        IReadOnlyList<PolyComActivation> activations = PolyComGen.Samples.PolyComActivations.All;
        string wheel = PythonWheel.Write(Path.Combine(folder, "dist"), activations, "0.1.0");
        Assert.Equal("polycomgen-0.1.0-py3-none-any.whl", Path.GetFileName(wheel));

        string venv = Path.Combine(folder, "venv"), venvPython = Path.Combine(venv, "bin", "python");
        var (created, createdOutput) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(2), "-m", "venv", "--system-site-packages", venv);
        Assert.True(created == 0, $"python -m venv failed:\n{createdOutput}");
        var (installed, installOutput) = PythonTorch.Run(venvPython, folder, TimeSpan.FromMinutes(3), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", wheel);
        Assert.True(installed == 0, $"pip install failed:\n{installOutput}");

        var cases = new List<object>();
        foreach (PolyComActivation activation in activations)
        {
            using var scope = NewDisposeScope();
            var (x, dy, gate, parameters) = TorchParityFixture.Inputs(activation, ScalarType.Float64);
            var tensors = new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = dy };
            foreach (var (key, value) in parameters)
            {
                tensors["p." + key] = value;
            }
            if (gate is not null)
            {
                tensors["gate"] = gate;
            }
            string input = Path.Combine(folder, activation.Name + ".in.pt");
            PyTorchPickler.PickleStateDict(input, tensors);
            cases.Add(new { @class = activation.Name, input, output = Path.Combine(folder, activation.Name + ".out.pt") });
        }
        string manifest = Path.Combine(folder, "manifest.json"), index = Path.Combine(folder, "index.json");
        File.WriteAllText(manifest, JsonSerializer.Serialize(new { cases, index }));
        // Run from an empty folder, so that the package can only come from the venv.
        string work = Directory.CreateDirectory(Path.Combine(folder, "work")).FullName;
        var (exitCode, output) = PythonTorch.Run(venvPython, work, TimeSpan.FromMinutes(3), Path.Combine(PythonTorch.ScriptFolder, "wheel_parity.py"), manifest);
        Assert.True(exitCode == 0, $"wheel_parity.py failed ({exitCode}):\n{output}");

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(index));
        JsonElement root = document.RootElement;
        Assert.StartsWith(Path.GetFullPath(venv), root.GetProperty("file").GetString());
        Assert.Equal("0.1.0", root.GetProperty("version").GetString());
        Assert.Contains("NoSuchActivation", root.GetProperty("unknown").GetString());
        var declarations = root.GetProperty("declarations").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(activations.Select(a => a.Name).Order(), declarations.Keys.Order());
        foreach (PolyComActivation activation in activations)
        {
            Assert.Equal(activation.Spec.ToString(), declarations[activation.Name]);
            using var scope = NewDisposeScope();
            var (x, dy, gate, parameters) = TorchParityFixture.Inputs(activation, ScalarType.Float64);
            var module = activation.CreateModule();
            module.to(ScalarType.Float64);
            using (no_grad())
            {
                foreach (var (key, value) in parameters)
                {
                    Harness.Named(module, key).copy_(value);
                }
            }
            Outputs csharp = Harness.Fused(module, x, dy, gate);
            Hashtable py = PyTorchUnpickler.UnpickleStateDict(Path.Combine(folder, activation.Name + ".out.pt"));
            Compare.Close((Tensor)py["y"]!, csharp.Y, 1e-10, $"{activation.Name} y");
            Compare.Close((Tensor)py["dx"]!, csharp.Dx, 1e-10, $"{activation.Name} dx");
            if (parameters.Count > 0)
            {
                Compare.Close(cat(parameters.Select(p => ((Tensor)py["d." + p.Key]!).reshape(-1)).ToArray(), 0), csharp.Dparameters, 1e-10, $"{activation.Name} dparameters");
            }
            if (gate is not null)
            {
                Compare.Close((Tensor)py["dgate"]!, csharp.Dgate!, 1e-10, $"{activation.Name} dgate");
            }
        }
    }

    [Fact]
    public void AWheelNeedsActivationsOfDistinctNamesAndAPythonVersion()
    {
        IReadOnlyList<PolyComActivation> activations = PolyComGen.Samples.PolyComActivations.All;
        Assert.Throws<ArgumentException>(() => PythonWheel.Write(folder, [], "0.1.0"));
        Assert.Contains($"named {activations[0].Name}", Assert.Throws<ArgumentException>(() => PythonWheel.Write(folder, [activations[0], activations[0]], "0.1.0")).Message);
        Assert.Contains("PEP 440", Assert.Throws<ArgumentException>(() => PythonWheel.Write(folder, activations, "0.1.0-dev")).Message);
        // The same activations give the same wheel, byte for byte.
        byte[] first = File.ReadAllBytes(PythonWheel.Write(Path.Combine(folder, "a"), activations, "0.1.0"));
        Assert.Equal(first, File.ReadAllBytes(PythonWheel.Write(Path.Combine(folder, "b"), activations, "0.1.0")));
    }
}
