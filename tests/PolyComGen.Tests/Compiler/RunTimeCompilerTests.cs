using System;
using System.Linq;
using System.Runtime.CompilerServices;
using PolyComGen.Compiler;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Compiler;

/// <summary>
/// <see cref="PolyComCompiler"/>: a declaration compiled at run time is the build's activation (bitwise), mistakes come
/// back located, repeated declarations hit the cache, and the load context is collectible. One class, so that its
/// tests (which count compilations and clear the cache) run one after another.
/// </summary>
public sealed class RunTimeCompilerTests
{
    // Build-time declarations of this test assembly, one of each kind: a norm, an expression, a gated norm, learned
    // parameters (xIELU), a fitted grouped rational with shared parameters (KAT), a grouped gated norm.
    public static TheoryData<string> BuildTimeNames => new()
    {
        "NormType2Order2", "NormType1Order3", "QuickGELUType1Order3", "NormTanhType2Order3", "GatedNormType1Order2", "XIELU", "NormTanhGamma",
        "KatGroupedRational", "GroupedGatedNormSwishBetaType1Order2",
    };

    [Theory]
    [MemberData(nameof(BuildTimeNames))]
    public void ADeclarationCompiledAtRunTimeGivesBitwiseTheBuildsForwardAndGradients(string name)
    {
        PolyComActivation built = SpecGrid.All.Single(a => a.Name == name);
        PolyComActivation compiled = PolyComCompiler.Compile(built.Spec.ToString(), name);

        Assert.Equal(built.Spec, compiled.Spec);
        Assert.Equal(built.CudaSource, compiled.CudaSource);
        Assert.Equal(built.TorchSource, compiled.TorchSource);
        foreach (ScalarType dtype in new[] { float32, float64 })
        {
            using var scope = NewDisposeScope();
            var generator = new torch.Generator(11);
            nn.Module a = built.CreateModule(), b = compiled.CreateModule();
            Harness.Randomise(a, dtype, generator);
            b.to(dtype);
            b.load_state_dict(a.state_dict());
            long[] shape = Harness.Shape(built.Spec, 5, 96);
            Tensor x = Harness.Input(built.Spec, shape, generator).to(dtype);
            Tensor upstream = randn(shape, dtype: float64, generator: generator).to(dtype);
            Tensor? gate = Harness.Gate(built.Spec, shape, generator)?.to(dtype);

            Outputs expected = Harness.Fused(a, x, upstream, gate), actual = Harness.Fused(b, x, upstream, gate);
            Assert.True(Bitwise(expected.Y, actual.Y), $"{name} {dtype}: y differs");
            Assert.True(Bitwise(expected.Dx, actual.Dx), $"{name} {dtype}: dx differs");
            Assert.True(Bitwise(expected.Dparameters, actual.Dparameters), $"{name} {dtype}: the parameters' gradients differ");
            Assert.Equal(expected.Dgate is null, actual.Dgate is null);
            Assert.True(expected.Dgate is null || Bitwise(expected.Dgate, actual.Dgate!), $"{name} {dtype}: dgate differs");
        }
    }

    // The same bits: the same dtype and shape, and the same bytes (so -0 differs from 0 and a NaN matches only itself).
    private static bool Bitwise(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    [Fact]
    public void MistakesComeBackAsOneExceptionWithEachDiagnosticsIdMessageAndColumn()
    {
        const string declaration = "PolyCom(Order = 9, Inner = \"tanh(y)\", Type = 2, Eps = \"small\")";
        var e = Assert.Throws<PolyComCompilationException>(() => PolyComCompiler.Compile(declaration));

        Assert.Equal(declaration, e.Declaration);
        PolyComDiagnostic order = Assert.Single(e.Diagnostics, d => d.Id == "PCG0006");
        PolyComDiagnostic name = Assert.Single(e.Diagnostics, d => d.Id == "PCG0015");
        PolyComDiagnostic type = Assert.Single(e.Diagnostics, d => d.Id == "CS0029");
        Assert.Equal((1, declaration.IndexOf("Order", StringComparison.Ordinal) + 1, "Order = 9".Length), (order.Line!.Value, order.Column!.Value, order.Length));
        Assert.Equal((1, declaration.IndexOf("y)", StringComparison.Ordinal) + 1, 1), (name.Line!.Value, name.Column!.Value, name.Length));
        Assert.Equal(declaration.IndexOf("\"small\"", StringComparison.Ordinal) + 1, type.Column);
        Assert.All(e.Diagnostics, d => Assert.True(d.IsError));
        Assert.Contains("'y'", name.Message);
        // The message shows each mistake under the declaration, with its ID and column.
        Assert.Contains($"PCG0015 (column {name.Column}):", e.Message);
        Assert.Contains(new string(' ', name.Column!.Value + 1) + "^", e.Message);
    }

    [Fact]
    public void AMistakeOnALaterLineOfTheDeclarationIsLocatedByLineAndColumn()
    {
        const string declaration = "[PolyCom(Order = 3,\n    Inner = \"x * sigmod(x)\")]";
        var e = Assert.Throws<PolyComCompilationException>(() => PolyComCompiler.Compile(declaration));
        PolyComDiagnostic d = Assert.Single(e.Diagnostics);
        Assert.Equal(("PCG0015", 2, "    Inner = \"x * ".Length + 1, "sigmod".Length), (d.Id, d.Line!.Value, d.Column!.Value, d.Length));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Obsolete")]
    [InlineData("PolyCom(Order = 3)] public class Other { } [PolyCom(Order = 2)")]
    [InlineData("PolyCom(Order = 3), PolyCom(Order = 2)")]
    public void TextThatIsNotOneActivationAttributeIsAnArgumentException(string declaration)
    {
        var e = Assert.Throws<ArgumentException>(() => PolyComCompiler.Compile(declaration));
        Assert.Contains(declaration.Length == 0 ? "empty" : "one attribute", e.Message);
    }

    [Fact]
    public void AnActivationDeclarationWithParametersCompiles()
    {
        PolyComActivation activation = PolyComCompiler.Compile("Activation(\"x * sigmoid(beta * x)\", Parameters = \"beta = 1.5\")", "SwishBetaAtRunTime");
        Assert.Equal("SwishBetaAtRunTime", activation.Name);
        Assert.True(activation.Spec.Activation);
        var module = activation.CreateModule();
        Assert.Equal(1.5, Harness.Named(module, "beta").item<float>());
        using var scope = NewDisposeScope();
        Tensor x = tensor(new[] { -1.0f, 0.0f, 2.0f });
        Tensor expected = x * sigmoid(1.5f * x);
        Assert.True(Harness.Forward(module, x).allclose(expected, rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void IdenticalDeclarationsAreCompiledOncePerProcess()
    {
        const string declaration = "PolyCom(Order = 2, Inner = \"tanh(x) * x\", Type = 1, Eps = 2E-06)";
        PolyComActivation first = PolyComCompiler.Compile(declaration);
        int compilations = PolyComCompiler.Compilations;

        PolyComActivation again = PolyComCompiler.Compile(declaration);
        PolyComActivation spacedAndBracketed = PolyComCompiler.Compile("  [PolyCom( Order=2,Inner = \"tanh(x) * x\" ,Type = 1, Eps = 2E-06 )]  ");

        Assert.Same(first, again);
        Assert.Same(first, spacedAndBracketed);
        Assert.Equal(compilations, PolyComCompiler.Compilations);
        Assert.StartsWith("Activation", first.Name);
        // Another name is another class: compiled again.
        Assert.Equal("Renamed", PolyComCompiler.Compile(declaration, "Renamed").Name);
        Assert.Equal(compilations + 1, PolyComCompiler.Compilations);
    }

    [Fact]
    public void TheLoadContextIsCollectedOnceItsActivationsAreGone()
    {
        WeakReference context = CompileUseAndForget();
        PolyComCompiler.Clear();
        for (int i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the load context of a cleared declaration was not collected");
    }

    // Compiles a declaration of its own, trains nothing but runs forward and backward once, and keeps nothing.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CompileUseAndForget()
    {
        const string declaration = "PolyCom(Order = 3, Inner = \"norm(x * sigmoid(x))\", Type = 2, Eps = 3E-06)";
        PolyComActivation activation = PolyComCompiler.Compile(declaration, "Collectible");
        using (var scope = NewDisposeScope())
        {
            var module = activation.CreateModule();
            Tensor x = randn(4, 32).requires_grad_();
            Harness.Forward(module, x).sum().backward();
            Assert.True(x.grad!.isfinite().all().item<bool>());
            module.Dispose();
        }
        Assert.True(PolyComCompiler.LoadContextOf(declaration, "Collectible").Target is System.Runtime.Loader.AssemblyLoadContext { IsCollectible: true });
        return PolyComCompiler.LoadContextOf(declaration, "Collectible");
    }

    [Fact]
    public void AProjectsRegistryIsReadFromItsAssemblyFile()
    {
        var activations = PolyComRegistry.FromAssembly(typeof(RunTimeCompilerTests).Assembly.Location);
        Assert.Equal(PolyComActivations.All.Select(a => a.Name), activations.Select(a => a.Name));
        Assert.Throws<System.IO.FileNotFoundException>(() => PolyComRegistry.FromAssembly("no/such/assembly.dll"));
        Assert.Throws<ArgumentException>(() => PolyComRegistry.FromAssembly(typeof(PolyComCompiler).Assembly.Location)); // declares none
    }

    [Fact]
    public void ACompiledActivationIsCreatedAsItsModuleTypeOrNamesIt()
    {
        PolyComActivation gated = PolyComCompiler.Compile("PolyCom(Order = 3, Inner = \"Norm\", Type = 2, Gated = true)");
        Assert.Equal("Module<Tensor, Tensor, Tensor>", gated.ModuleType);
        using (var module = gated.Create<nn.Module<Tensor, Tensor, Tensor>>())
        {
            using Tensor x = randn(2, 8), gate = randn(2, 8);
            Assert.Equal(x.shape, module.forward(x, gate).shape);
        }
        var error = Assert.Throws<InvalidCastException>(() => gated.Create<nn.Module<Tensor, Tensor>>());
        Assert.Contains("Create<Module<Tensor, Tensor, Tensor>>()", error.Message);
        Assert.Equal("Module<Tensor, Tensor, Tensor>", PolyComCompiler.Compile("PolyCom(Order = 2, Experts = 4)").ModuleType);
    }
}
