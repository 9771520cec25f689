using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using PolyComGen.Compiler;
using PolyComGen.Generator.Emitters;
using PolyComGen.Generator.Expressions.Language;
using PolyComGen.Tests.Python;
using PolyComGen.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Generation;

/// <summary>
/// A declared parameter's name: every name the generator accepts gives a module that constructs, trains and carries
/// its state_dict between TorchSharp and PyTorch; every other is a located PCG0024 that says what it collides with.
/// The reserved lists are held equal to their sources (TorchSharp by reflection, PyTorch and Python by Python), and
/// names spelled like the walk's temporaries change nothing of the kernels' results.
/// </summary>
[Trait("Category", "Python")]
public sealed class ParameterNameTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-names-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // The names a new user tried (issue 30), torch.nn.Module's and TorchSharp's members among them, and names spelled as
    // the emitters' own: temporaries (t0, i1_0, s1_t0, p_t0), row scalars (q1, kappa, sigma), scales, loop variables.
    public static readonly string[] Candidates =
    [
        "half", "process_group", "kernel_parameters", "state_dict", "apply", "buffers", "float", "double", "zero_grad", "children", "extra_repr",
        "load_state_dict", "named_parameters", "register_buffer", "register_parameter", "training", "type", "compile", "cuda", "to", "forward",
        "weight", "bias", "spec", "formula", "class", "lambda", "int", "string", "_private", "Dispose", "GetName",
        "beta", "Beta2", "alpha_p", "t0", "t", "i1_0", "s1_t0", "p_t0", "t0_0", "q1", "kappa", "sigma", "sigma_rescaled", "sigma1_given", "m1",
        "row", "rows", "h", "hf", "gl", "nt", "st", "attempt", "k0", "group", "dparameters", "dy", "self", "torch", "numpy", "len", "sum",
    ];

    private static string Declaration(string name) => $"PolyCom(Order = 2, Inner = \"norm(x * sigmoid({name} * x))\", Type = 2, Parameters = \"{name} = 1.25\")";

    [Fact]
    public void TheTorchSharpMembersTheGeneratorReservesAreExactlyModulesOwn()
    {
        Type module = typeof(nn.Module<Tensor, Tensor>);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        var members = module.GetMembers(all)
            .Where(m => m switch
            {
                MethodInfo method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !method.IsSpecialName,
                FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
                _ => m is PropertyInfo or EventInfo,
            })
            .Select(m => m.Name);
        // Extension methods on modules (to, cpu, half ...), which a field of the same name would hide at a call site too.
        var extensions = module.Assembly.GetTypes().Where(t => t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.IsDefined(typeof(ExtensionAttribute)) && Extends(m.GetParameters()[0].ParameterType, module))
            .Select(m => m.Name);
        var expected = members.Concat(extensions).Where(n => !n.Contains('.') && !n.Contains('<')).ToHashSet();
        Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), ReservedNames.TorchSharpModuleMembers.Distinct().OrderBy(n => n, StringComparer.Ordinal));
    }

    private static bool Extends(Type parameter, Type module) =>
        parameter != typeof(object) && (parameter.IsAssignableFrom(module) || parameter.IsGenericParameter && parameter.GetGenericParameterConstraints().Any(c => c.IsAssignableFrom(module)));

    [SkippableFact]
    public void PyTorchsAttributesTheEmittedModulesAndPythonsKeywordsAreReserved()
    {
        string python = PythonTorch.Require();
        PolyComActivation activation = Samples.PolyComActivations.All.Single(a => a.Name == "PolyNorm");
        activation.WriteTorchModule(folder);
        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(2), Path.Combine(PythonTorch.ScriptFolder, "reserved_names.py"), folder, activation.Name);
        Assert.True(exitCode == 0, output);
        using JsonDocument names = JsonDocument.Parse(output.Trim().Split('\n').Last());
        string[] Names(string key) => names.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.NotEmpty(Names("torch_module"));
        Assert.Empty(Names("torch_module").Except(ReservedNames.TorchModuleAttributes));
        Assert.Empty(Names("emitted_module").Except(ReservedNames.PyTorchModuleAttributes));
        Assert.Empty(Names("keywords").Except(ReservedNames.PythonKeywords));
        // Each of them the generator refuses, whatever its case.
        Assert.All(Names("torch_module").Concat(Names("emitted_module")).Concat(Names("keywords")), n => Assert.NotNull(ParameterParser.ReservedReason(n.ToUpperInvariant())));
    }

    [Fact]
    public void TheNameSupplyNeverHandsOutATakenName()
    {
        var supply = new NameSupply(["t0", "t1", "t_0", "sigma_rescaled", "p_t0"]);
        Assert.Equal("t__", supply.Prefix("t"));
        Assert.Equal("i1_", supply.Prefix("i1_"));
        Assert.Equal("p_t_", supply.Prefix("p_t"));
        Assert.Equal("sigma_rescaled_2", supply.Name("sigma_rescaled"));
        Assert.Equal("sigma_rescaled_3", supply.Name("sigma_rescaled"));
        Assert.Equal("kappa", supply.Name("kappa"));
    }

    [SkippableFact]
    public void EveryAcceptedNameGivesAModuleThatTrainsAndRoundTripsItsStateDictAndEveryOtherALocatedError()
    {
        string python = PythonTorch.Require();
        var accepted = new List<string>();
        var rejected = new List<string>();
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(30);
        Tensor x = randn([6, 64], dtype: float64, generator: generator) * 2;
        (Tensor Y, Tensor Dx, Tensor Dparameters)? reference = null;
        foreach (string name in Candidates)
        {
            string className = "Named" + accepted.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            PolyComActivation activation;
            try
            {
                activation = PolyComCompiler.Compile(Declaration(name), className);
            }
            catch (PolyComCompilationException e)
            {
                PolyComDiagnostic error = Assert.Single(e.Diagnostics, d => d.IsError);
                Assert.Equal("PCG0024", error.Id);
                Assert.Contains($"'{name}'", error.Message);
                Assert.NotNull(error.Column);
                Assert.Equal(name, Declaration(name).Substring(error.Column!.Value - 1, name.Length));
                Assert.NotNull(ParameterParser.ReservedReason(name));
                rejected.Add(name);
                continue;
            }
            Assert.Null(ParameterParser.ReservedReason(name));
            accepted.Add(name);

            // Constructs, with the parameter under its own name; computes what the same declaration computes under another
            // name, bitwise; trains a step; round-trips its state_dict through PyTorch's format.
            var module = (nn.Module<Tensor, Tensor>)activation.Create();
            module.to(float64);
            Assert.Contains(name, module.state_dict().Keys);
            Tensor input = x.clone().requires_grad_(true);
            Tensor y = module.call(input);
            y.square().mean().backward();
            Tensor[] gradients = module.parameters().Select(p => p.grad!.clone()).ToArray();
            var outcome = (y.detach(), input.grad!.clone(), cat(gradients.Select(g => g.reshape(-1)).ToArray()));
            reference ??= outcome;
            Assert.True(Same(outcome.Item1, reference.Value.Y), $"{name}: y differs from the same declaration's under another name");
            Assert.True(Same(outcome.Item2, reference.Value.Dx), $"{name}: dx differs");
            Assert.True(Same(outcome.Item3, reference.Value.Dparameters), $"{name}: the parameters' gradient differs");
            using (var optimizer = optim.SGD(module.parameters(), 0.1))
            {
                optimizer.step();
            }
            module.to(float32);
            module.save_py(Path.Combine(folder, className + ".pt"));
            var loaded = (nn.Module<Tensor, Tensor>)activation.Create();
            loaded.load_py(Path.Combine(folder, className + ".pt"));
            Assert.True(Same(loaded.state_dict()[name], module.state_dict()[name]), $"{name}: the state_dict did not round-trip in TorchSharp");

            loaded.to(float64);
            using (no_grad())
            {
                PyTorchPickler.PickleStateDict(Path.Combine(folder, className + ".x.pt"), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = loaded.call(x) });
            }
            activation.WriteTorchModule(folder);
        }
        Assert.NotEmpty(rejected);
        Assert.True(accepted.Count >= 20, $"accepted only {string.Join(", ", accepted)}");

        string[] classes = Enumerable.Range(0, accepted.Count).Select(i => "Named" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(3), [Path.Combine(PythonTorch.ScriptFolder, "parameter_names.py"), folder, .. classes]);
        Assert.True(exitCode == 0, output);
        for (int i = 0; i < accepted.Count; i++)
        {
            Assert.Contains($"ok {classes[i]}", output);
            var back = PolyComCompiler.Compile(Declaration(accepted[i]), classes[i]).CreateModule();
            back.load_py(Path.Combine(folder, classes[i] + ".trained.pt"));
            var before = PolyComCompiler.Compile(Declaration(accepted[i]), classes[i]).CreateModule();
            before.load_py(Path.Combine(folder, classes[i] + ".pt"));
            Assert.False(Same(back.state_dict()[accepted[i]], before.state_dict()[accepted[i]]), $"{accepted[i]}: PyTorch's step did not reach the C# module");
        }
    }

    // The same shape and values (the comparison torch.equal would make; TorchSharp's equal is elementwise).
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
