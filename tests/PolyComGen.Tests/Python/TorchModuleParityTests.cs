using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// Emits the PyTorch modules of several specs, runs them in Python on the inputs the C# modules get, all cases in
/// one Python process, and keeps the folder for the tests to read.
/// </summary>
public sealed class TorchParityFixture : IDisposable
{
    /// <summary>
    /// The activations compared: the paper's two, a Type 1 Norm, two expressions (one under norm()), a gated one, and
    /// learnable parameters: Swish-beta PolyCom (elementwise and under norm()), xIELU, a Padé unit, a parameter under an
    /// [Activation]'s norm(), and an [Activation] without parameters.
    /// </summary>
    public static readonly string[] Activations = ["PolyNorm", "PolyReLU", "NormType1Order3", "QuickGELUType1Order3", "NormTanhType2Order3", "GatedNormType2Order3",
        "SwishBetaType1Order3", "NormSwishBetaType2Order3", "XIELU", "PadeA54", "NormTanhGamma", "Mish", "KatGroupedRational", "GroupedSwishBetaType1Order2", "GroupedPolyNorm", "GroupedNormTanhGamma"];

    public static readonly ScalarType[] Dtypes = [ScalarType.Float64, ScalarType.Float32];

    public string Folder { get; } = Directory.CreateTempSubdirectory("pcg-torch-").FullName;

    private readonly Lazy<(int ExitCode, string Output)> run;

    public TorchParityFixture() => run = new Lazy<(int, string)>(Run);

    /// <summary>Runs every case once, on first use; the Python process's exit code and output.</summary>
    public (int ExitCode, string Output) Result(string python)
    {
        this.python = python;
        return run.Value;
    }

    private string python = "";

    public static string Case(string activation, ScalarType dtype) => $"{activation}-{dtype}";

    private (int, string) Run()
    {
        var manifest = new List<object>();
        string modules = Path.Combine(Folder, "modules");
        foreach (string name in Activations)
        {
            PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
            string path = activation.WriteTorchModule(modules);
            foreach (ScalarType dtype in Dtypes)
            {
                string input = Path.Combine(Folder, Case(name, dtype) + ".in.pt");
                using var scope = NewDisposeScope();
                var (x, dy, gate, parameters) = Inputs(activation, dtype);
                var tensors = new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = dy };
                foreach (var (key, value) in parameters)
                {
                    tensors["p." + key] = value;
                }
                if (gate is not null)
                {
                    tensors["gate"] = gate;
                }
                PyTorchPickler.PickleStateDict(input, tensors);
                manifest.Add(new { folder = modules, module = Path.GetFileNameWithoutExtension(path), @class = name, input, output = Path.Combine(Folder, Case(name, dtype) + ".out.pt") });
            }
        }
        string manifestPath = Path.Combine(Folder, "manifest.json");
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
        return PythonTorch.Run(python, Folder, TimeSpan.FromMinutes(3), Path.Combine(PythonTorch.ScriptFolder, "torch_parity.py"), manifestPath);
    }

    /// <summary>
    /// The inputs of a case, the same every time: x (a Norm row of 70, rows of 3 x 2), dy, the gate, and random
    /// parameters (as <see cref="Harness.Randomise"/> draws them) by their state_dict keys, in slot order.
    /// </summary>
    public static (Tensor X, Tensor Dy, Tensor? Gate, List<(string Key, Tensor Value)> Parameters) Inputs(PolyComActivation activation, ScalarType dtype)
    {
        var generator = new torch.Generator(4242);
        long[] shape = Harness.Shape(activation.Spec, 2, 3, 70);
        Tensor x = Harness.Input(activation.Spec, shape, generator).to(dtype);
        Tensor dy = randn(shape, dtype: float64, generator: generator).to(dtype);
        Tensor? gate = Harness.Gate(activation.Spec, shape, generator)?.to(dtype);
        var module = activation.CreateModule();
        Harness.Randomise(module, dtype, generator);
        var parameters = Harness.SlotNames(activation.Spec).Select(name => (name, Harness.Named(module, name).detach().clone())).ToList();
        return (x, dy, gate, parameters);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>The emitted PyTorch modules against the C# modules: forward, every gradient, parameters and state_dict keys.</summary>
[Trait("Category", "Python")]
public sealed class TorchModuleParityTests(TorchParityFixture fixture, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<TorchParityFixture>
{
    public static IEnumerable<object[]> Cases() =>
        from name in TorchParityFixture.Activations from dtype in TorchParityFixture.Dtypes select new object[] { name, dtype };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void PythonModuleEqualsTheCSharpModule(string name, ScalarType dtype)
    {
        string python = PythonTorch.Require();
        var (exitCode, output) = fixture.Result(python);
        Assert.True(exitCode == 0, $"torch_parity.py failed ({exitCode}):\n{output}");
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        var (x, dy, gate, parameters) = TorchParityFixture.Inputs(activation, dtype);
        var module = activation.CreateModule();
        module.to(dtype);
        using (no_grad())
        {
            foreach (var (key, value) in parameters)
            {
                Harness.Named(module, key).copy_(value);
            }
        }
        Outputs csharp = Harness.Fused(module, x, dy, gate);
        Hashtable py = PyTorchUnpickler.UnpickleStateDict(Path.Combine(fixture.Folder, TorchParityFixture.Case(name, dtype) + ".out.pt"));

        double tolerance = dtype == ScalarType.Float64 ? 1e-10 : 1e-5;
        log.WriteLine($"{name} {dtype}: y {Compare.RelativeError((Tensor)py["y"]!, csharp.Y):E1}, dx {Compare.RelativeError((Tensor)py["dx"]!, csharp.Dx):E1}, " +
                      $"dparameters {Compare.RelativeError(PyParameters(py, parameters.Select(p => p.Key)), csharp.Dparameters):E1}" +
                      (gate is null ? "" : $", dgate {Compare.RelativeError((Tensor)py["dgate"]!, csharp.Dgate!):E1}"));
        Compare.Close((Tensor)py["y"]!, csharp.Y, tolerance, $"{name} {dtype} y");
        Compare.Close((Tensor)py["dx"]!, csharp.Dx, tolerance, $"{name} {dtype} dx");
        if (dtype == ScalarType.Float64)
        {
            Compare.Close(PyParameters(py, parameters.Select(p => p.Key)), csharp.Dparameters, tolerance, $"{name} dparameters");
        }
        else
        {
            // Sums over 420 float32 terms: their error is relative to the sum of the magnitudes, not to the sum.
            var scales = Harness.ParameterGradientScales(activation.Spec, module, x, dy, gate);
            Compare.CloseSums(PyParameters(py, parameters.Select(p => p.Key)), csharp.Dparameters, scales, tolerance, $"{name} float32 dparameters");
        }
        Assert.Equal(gate is not null, py.ContainsKey("dgate"));
        if (gate is not null)
        {
            Compare.Close((Tensor)py["dgate"]!, csharp.Dgate!, tolerance, $"{name} {dtype} dgate");
        }

        // The same initial parameters as a fresh C# module, under the same names and shapes.
        var fresh = activation.CreateModule();
        foreach (var (key, _) in parameters)
        {
            Compare.BitwiseEqual((Tensor)py["initial." + key]!, Harness.Named(fresh, key).detach(), $"{name} initial {key}");
        }
        Assert.Equal(parameters.Count, py.Keys.Cast<string>().Count(k => k.StartsWith("initial.", StringComparison.Ordinal)));
    }

    // The Python module's parameter gradients in slot order, as one vector.
    private static Tensor PyParameters(Hashtable py, IEnumerable<string> keys) =>
        keys.Any() ? cat(keys.Select(k => ((Tensor)py["d." + k]!).reshape(-1)).ToArray(), 0) : zeros([0], dtype: float64);

    /// <summary>The activations with learned parameters (named ones, or groups) of the fixture, in float64.</summary>
    public static IEnumerable<object[]> LearnedCases() =>
        from name in TorchParityFixture.Activations
        let spec = SpecGrid.All[SpecGrid.IndexOf(name)].Spec
        where spec.Activation || spec.Parameters.Length > 0 || spec.Groups > 1
        select new object[] { name, ScalarType.Float64 };

    [SkippableTheory]
    [MemberData(nameof(LearnedCases))]
    public void ThePyTorchModuleOfALearnedActivationMatchesItsFormulaWrittenInPyTorch(string name, ScalarType dtype)
    {
        string python = PythonTorch.Require();
        var (exitCode, output) = fixture.Result(python);
        Assert.True(exitCode == 0, $"torch_parity.py failed ({exitCode}):\n{output}");
        using var scope = NewDisposeScope();
        Hashtable py = PyTorchUnpickler.UnpickleStateDict(Path.Combine(fixture.Folder, TorchParityFixture.Case(name, dtype) + ".out.pt"));
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        Assert.True(py.ContainsKey("ref.y"), $"torch_parity.py has no formula for {name}");
        Compare.Close((Tensor)py["y"]!, (Tensor)py["ref.y"]!, 1e-10, $"{name} y against the formula in PyTorch");
        Compare.Close((Tensor)py["dx"]!, (Tensor)py["ref.dx"]!, 1e-10, $"{name} dx against the formula in PyTorch");
        foreach (string key in Harness.SlotNames(activation.Spec))
        {
            Compare.Close((Tensor)py["d." + key]!, (Tensor)py["ref.d." + key]!, 1e-10, $"{name} d{key} against the formula in PyTorch");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void APyTorchStateDictLoadsIntoTheCSharpModule(string name, ScalarType dtype)
    {
        string python = PythonTorch.Require();
        Assert.Equal(0, fixture.Result(python).ExitCode);
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        var (_, _, _, parameters) = TorchParityFixture.Inputs(activation, dtype);
        var module = activation.CreateModule();
        module.to(dtype);

        module.load_py(Path.Combine(fixture.Folder, TorchParityFixture.Case(name, dtype) + ".out.pt.state.pt"));

        Assert.Equal(parameters.Select(p => p.Key).OrderBy(k => k), module.state_dict().Keys.OrderBy(k => k));
        foreach (var (key, value) in parameters)
        {
            Compare.BitwiseEqual(Harness.Named(module, key).detach(), value, $"{name} {key}");
        }
    }
}
