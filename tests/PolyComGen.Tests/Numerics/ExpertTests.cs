using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Backends;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Contract;
using PolyComGen.Tests.Cuda.Emulation;
using PolyComGen.Tests.Descriptor;
using PolyComGen.Tests.Support;
using PolyComGen.Verification;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>
/// Modules with experts (ExpertDeclarations.cs) against their twins without (the same spec, one module per expert with
/// that expert's parameters, applied to its rows), written here as the reference: outputs, every gradient, central
/// differences, second derivatives, the emulated CUDA kernels, bad offsets and determinism.
/// </summary>
[Collection(nameof(ThreadCountCollection))]
public sealed class ExpertTests
{
    /// <summary>Each declaration with experts and its twin without.</summary>
    public static TheoryData<string, string> Pairs => new()
    {
        { "PolyNormExperts", "PolyNorm" },
        { "PolyReLUExperts", "PolyReLU" },
        { "GatedPolyNormExperts", "GatedNormType2Order3" },
        { "XIELUExperts", "XIELU" },
        { "KatGroupedRationalExperts", "KatGroupedRational" },
        { "GroupedGatedNormSwishBetaExperts", "GroupedGatedNormSwishBetaType1Order2" },
    };

    private static PolyComActivation Find(string name) => PolyComActivations.All.Single(a => a.Name == name);

    // Rows per expert: the second has none, the third a single row, the others several.
    private static long[] OffsetsFor(int experts) =>
        Enumerable.Range(0, experts + 1).Select(e => (long)Enumerable.Range(0, e).Sum(k => k == 1 ? 0 : k == 2 ? 1 : 3 + k)).ToArray();

    private static Tensor Forward(nn.Module module, Tensor x, Tensor? gate, Tensor offsets) => ((IPolyComModule)module).Spec.Gated
        ? ((nn.Module<Tensor, Tensor, Tensor, Tensor>)module).forward(x, gate!, offsets)
        : ((nn.Module<Tensor, Tensor, Tensor>)module).forward(x, offsets);

    private static IReadOnlyList<(string Name, Parameter Parameter)> Parameters(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, p.parameter)).ToList();

    // The twin with expert e's parameters: each parameter's row e, in the twin's shape.
    private static nn.Module Twin(string twin, nn.Module experts, int expert, ScalarType dtype)
    {
        nn.Module module = Find(twin).CreateModule();
        module.to(dtype);
        using (no_grad())
        {
            foreach (var (name, parameter) in Parameters(experts))
            {
                Parameter target = Harness.Named(module, name);
                target.copy_(parameter[expert].reshape(target.shape));
            }
        }
        return module;
    }

    private sealed record Case(nn.Module Module, Tensor X, Tensor? Gate, Tensor Upstream, Tensor Offsets, long[] Bounds);

    private static Case Setup(string name, ScalarType dtype, ulong seed, long width = 8)
    {
        PolyComActivation activation = Find(name);
        nn.Module module = activation.CreateModule();
        var generator = new torch.Generator(seed);
        Harness.Randomise(module, dtype, generator);
        long[] bounds = OffsetsFor(activation.Spec.Experts);
        long[] shape = Harness.Shape(activation.Spec, bounds[^1], width);
        Tensor x = Harness.Input(activation.Spec, shape, generator).to(dtype);
        Tensor? gate = Harness.Gate(activation.Spec, shape, generator)?.to(dtype);
        return new Case(module, x, gate, randn(shape, generator: generator).to(dtype), tensor(bounds), bounds);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void AModuleWithExpertsIsItsTwinAppliedToEachExpertsRowsWithThatExpertsParameters(string name, string twin)
    {
        foreach (var (dtype, tolerance) in new[] { (float64, 1e-12), (float32, 1e-5) })
        {
            using var scope = NewDisposeScope();
            Case c = Setup(name, dtype, 5);
            Tensor x = c.X.detach().requires_grad_(), gate = c.Gate?.detach().requires_grad_()!;
            Tensor y = Forward(c.Module, x, gate, c.Offsets);
            y.backward([c.Upstream]);
            for (int e = 0; e < c.Bounds.Length - 1; e++)
            {
                long first = c.Bounds[e], count = c.Bounds[e + 1] - first;
                nn.Module reference = Twin(twin, c.Module, e, dtype);
                Tensor xe = c.X.narrow(0, first, count).detach().requires_grad_();
                Tensor? ge = c.Gate?.narrow(0, first, count).detach().requires_grad_();
                Tensor ye = Harness.Forward(reference, xe, ge);
                ye.backward([c.Upstream.narrow(0, first, count)]);
                string what = $"{name} {dtype} expert {e} ({count} rows)";
                Compare.Close(y.narrow(0, first, count), ye, tolerance, $"{what} y");
                Compare.Close(x.grad!.narrow(0, first, count), xe.grad!, tolerance, $"{what} dx");
                if (gate is not null)
                {
                    Compare.Close(gate.grad!.narrow(0, first, count), ge!.grad!, tolerance, $"{what} dgate");
                }
                foreach (var (parameterName, parameter) in Parameters(c.Module))
                {
                    Tensor expected = Harness.Named(reference, parameterName).grad is Tensor g ? g : zeros(Harness.Named(reference, parameterName).shape, dtype: dtype);
                    Tensor actual = parameter.grad![e].reshape(expected.shape);
                    if (count == 0)
                    {
                        Assert.True(actual.eq(0).all().item<bool>(), $"{what} d{parameterName}: an expert without rows has a zero gradient");
                    }
                    else
                    {
                        Compare.Close(actual, expected, tolerance, $"{what} d{parameterName}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void EveryParameterElementsGradientMatchesCentralDifferences(string name, string twin)
    {
        _ = twin;
        using var scope = NewDisposeScope();
        Case c = Setup(name, float64, 11);
        double Loss() => (Forward(c.Module, c.X, c.Gate, c.Offsets) * c.Upstream).sum().item<double>();
        Forward(c.Module, c.X, c.Gate, c.Offsets).backward([c.Upstream]);
        const double h = 1e-6;
        foreach (var (parameterName, parameter) in Parameters(c.Module))
        {
            Tensor flat = parameter.detach().view(-1), analytic = parameter.grad!.reshape(-1);
            for (long i = 0; i < flat.numel(); i++)
            {
                double original = flat[i].item<double>(), plus, minus;
                using (no_grad())
                {
                    flat[i] = original + h;
                    plus = Loss();
                    flat[i] = original - h;
                    minus = Loss();
                    flat[i] = original;
                }
                double numeric = (plus - minus) / (2 * h), exact = analytic[i].item<double>();
                Assert.True(Math.Abs(numeric - exact) <= 1e-6 * Math.Max(1, Math.Abs(exact)),
                    $"{name} d{parameterName}[{i}]: fused {exact:R}, central difference {numeric:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void SecondDerivativesAreTheTwinsExpertByExpert(string name, string twin)
    {
        using var scope = NewDisposeScope();
        Case c = Setup(name, float64, 17);
        // A gradient penalty: |d(sum y * dy)/dx|^2, differentiated again with respect to the parameters.
        static void Penalty(Tensor y, Tensor x, Tensor upstream)
        {
            Tensor g = autograd.grad([(y * upstream).sum()], [x], create_graph: true)[0];
            (g * g).sum().backward();
        }
        Tensor x = c.X.detach().requires_grad_();
        Penalty(Forward(c.Module, x, c.Gate, c.Offsets), x, c.Upstream);
        for (int e = 0; e < c.Bounds.Length - 1; e++)
        {
            long first = c.Bounds[e], count = c.Bounds[e + 1] - first;
            if (count == 0)
            {
                continue;
            }
            nn.Module reference = Twin(twin, c.Module, e, float64);
            Tensor xe = c.X.narrow(0, first, count).detach().requires_grad_();
            Penalty(Harness.Forward(reference, xe, c.Gate?.narrow(0, first, count)), xe, c.Upstream.narrow(0, first, count));
            foreach (var (parameterName, parameter) in Parameters(c.Module))
            {
                Tensor expected = Harness.Named(reference, parameterName).grad!;
                Compare.Close(parameter.grad![e].reshape(expected.shape), expected, 1e-10, $"{name} expert {e} second derivative d{parameterName}");
            }
        }
    }

    public static TheoryData<string, ScalarType> EmulatedCases()
    {
        var cases = new TheoryData<string, ScalarType>();
        foreach (string name in new[] { "PolyNormExperts", "PolyReLUExperts", "GatedPolyNormExperts", "KatGroupedRationalExperts" })
        {
            foreach (ScalarType dtype in EmulatedParity.Dtypes)
            {
                cases.Add(name, dtype);
            }
        }
        return cases;
    }

    [SkippableTheory]
    [MemberData(nameof(EmulatedCases))]
    public void TheCudaKernelsOnTheEmulatedDeviceMatchTheCpuKernelsExpertByExpert(string name, ScalarType dtype)
    {
        EmulatedParity.RequireEmulator();
        using var scope = NewDisposeScope();
        // Rows of 64 (whole chunks, kept on chip) and more rows than the emulated grid's blocks for one expert.
        Case c = Setup(name, float32, 23, width: 64);
        var module = (IPolyComModule)c.Module;
        Tensor parameters = module.KernelParameters().detach().to(dtype);
        Tensor x = c.X.to(dtype), upstream = c.Upstream.to(dtype);
        Tensor? gate = c.Gate?.to(dtype);
        // The reference: the CPU kernels in float64 on the same (rounded) values, expert by expert.
        ExpertRows experts = ExpertRows.Of(module.Descriptor, x, c.Offsets);
        Tensor y64 = CpuBackend.Instance.Forward(module.Descriptor, x.to(float64), gate?.to(float64), parameters.to(float64), experts);
        PolyComGradients g64 = CpuBackend.Instance.Backward(module.Descriptor, x.to(float64), gate?.to(float64), upstream.to(float64), parameters.to(float64), experts);

        Tensor y = CudaEmulator.Forward(module.Descriptor, x, gate, parameters, offsets: c.Offsets);
        PolyComGradients g = CudaEmulator.Backward(module.Descriptor, x, gate, upstream, parameters, offsets: c.Offsets);

        double tolerance = dtype == float32 ? EmulatedParity.Float32Tolerance : EmulatedParity.HalfTolerance;
        Compare.Close(y, y64, tolerance, $"{name} {dtype} y");
        Compare.Close(g.Dx, g64.Dx, tolerance, $"{name} {dtype} dx");
        if (gate is not null)
        {
            Compare.Close(g.Dgate!, g64.Dgate!, tolerance, $"{name} {dtype} dgate");
        }
        // Each expert's parameter gradient, reduced in float32 on the device; the expert without rows gets zeros.
        long slots = module.Descriptor.ParameterCount;
        for (int e = 0; e < experts.Experts; e++)
        {
            Tensor actual = g.Dparameters.narrow(0, e * slots, slots), expected = g64.Dparameters.narrow(0, e * slots, slots);
            if (experts[e].Count == 0)
            {
                Assert.True(actual.eq(0).all().item<bool>(), $"{name} {dtype} expert {e}: no rows, zero gradient");
            }
            else
            {
                Compare.Close(actual, expected, 10 * tolerance, $"{name} {dtype} expert {e} dparameters");
            }
        }
    }

    [SkippableTheory]
    [InlineData("PolyNormExperts")]
    [InlineData("KatGroupedRationalExperts")]
    public void TheCudaPathIsOneLaunchPerDirectionWithARowOfBlocksPerExpert(string name)
    {
        EmulatedParity.RequireEmulator();
        using var scope = NewDisposeScope();
        Case c = Setup(name, float32, 29, width: 64);
        var module = (IPolyComModule)c.Module;
        Tensor parameters = module.KernelParameters().detach();
        ExpertRows experts = ExpertRows.Of(module.Descriptor, c.X, c.Offsets);
        var device = new CountingDevice(new EmulatedDevice(new CudaEmulationOptions()));

        Tensor y = CudaLaunch.Forward(device, module.Descriptor, c.X, c.Gate, parameters, experts);
        PolyComGradients g = CudaLaunch.Backward(device, module.Descriptor, c.X, c.Gate, c.Upstream, parameters, experts);

        Assert.Equal([("polycom_forward_f32", (uint)experts.Experts), ("polycom_backward_f32", (uint)experts.Experts)], device.Launches);
        // The same values as the emulator's public path, which goes through the same launch.
        Assert.True(y.eq(CudaEmulator.Forward(module.Descriptor, c.X, c.Gate, parameters, offsets: c.Offsets)).all().item<bool>());
        Assert.True(g.Dparameters.eq(CudaEmulator.Backward(module.Descriptor, c.X, c.Gate, c.Upstream, parameters, offsets: c.Offsets).Dparameters).all().item<bool>());
    }

    // A device that records each launch's entry point and rows of blocks, and sends it on.
    private sealed class CountingDevice(ICudaDevice inner) : ICudaDevice
    {
        public List<(string Entry, uint GridRows)> Launches { get; } = [];

        public int Multiprocessors => inner.Multiprocessors;

        public IDisposable Enter(Tensor like) => inner.Enter(like);

        public Tensor Empty(long[] shape, ScalarType dtype, Tensor like) => inner.Empty(shape, dtype, like);

        public ICudaModule ModuleFor(KernelDescriptor descriptor) => new CountingModule(this, inner.ModuleFor(descriptor));

        private sealed class CountingModule(CountingDevice device, ICudaModule inner) : ICudaModule
        {
            public ulong Counter => inner.Counter;

            public void Launch(string entry, uint blocks, uint threadsPerBlock, KernelArguments arguments, uint gridRows = 1)
            {
                device.Launches.Add((entry, gridRows));
                inner.Launch(entry, blocks, threadsPerBlock, arguments, gridRows);
            }
        }
    }

    [Fact]
    public void BadOffsetsAreRejectedBeforeAnyKernelRunsNamingWhatIsWrong()
    {
        using var scope = NewDisposeScope();
        var module = (nn.Module<Tensor, Tensor, Tensor>)Find("PolyNormExperts").CreateModule(); // 4 experts
        Tensor x = randn(5, 8);
        void Rejects(Tensor offsets, string message, Tensor? input = null)
        {
            var error = Assert.ThrowsAny<ArgumentException>(() => module.forward(input ?? x, offsets));
            Assert.Contains(message, error.Message);
            Assert.Contains("PolyNormExperts", error.Message);
        }

        Rejects(tensor(new long[] { 0, 2, 2, 3, 5 }, dtype: int64).to(int32), "must be int64, but they are Int32");
        Rejects(tensor(new long[] { 0, 2, 5 }), "must have shape [5] (one more than the 4 experts)");
        Rejects(tensor(new long[] { 1, 2, 2, 3, 5 }), "must start at 0, but offsets[0] is 1");
        Rejects(tensor(new long[] { 0, 3, 2, 3, 5 }), "must not decrease, but offsets[2] = 2 is less than offsets[1] = 3");
        Rejects(tensor(new long[] { 0, 2, 2, 3, 4 }), "must end at x's 5 rows, but offsets[4] is 4");
        Rejects(tensor(new long[] { 0, 2, 2, 3, 5 }), "takes x of shape [N, H]", randn(5, 2, 8));
        var missing = Assert.Throws<ArgumentNullException>(() => module.forward(x, null!));
        Assert.Contains("offsets", missing.Message);
        // Good offsets, with experts of no rows at either end, work.
        Assert.Equal(new long[] { 5, 8 }, module.forward(x, tensor(new long[] { 0, 0, 2, 5, 5 })).shape);
    }

    [Fact]
    public void ParameterGradientsAreBitwiseTheSameForAnyThreadCount()
    {
        using var scope = NewDisposeScope();
        var module = (nn.Module<Tensor, Tensor, Tensor>)Find("PolyNormExperts").CreateModule();
        var generator = new torch.Generator(41);
        Harness.Randomise(module, float32, generator);
        Tensor x = randn([600, 64], generator: generator), upstream = randn([600, 64], generator: generator);
        Tensor offsets = tensor(new long[] { 0, 250, 250, 251, 600 });
        (Tensor Dx, Tensor Dparameters) Run()
        {
            Tensor input = x.detach().requires_grad_();
            foreach (Parameter p in module.parameters())
            {
                p.grad = null;
            }
            module.forward(input, offsets).backward([upstream]);
            return (input.grad!, cat(module.parameters().Select(p => p.grad!.reshape(-1)).ToArray(), 0));
        }
        int threads = CpuBackend.ThreadCount;
        try
        {
            CpuBackend.ThreadCount = 1;
            var first = Run();
            foreach (int count in new[] { 2, 8 })
            {
                CpuBackend.ThreadCount = count;
                var other = Run();
                Compare.BitwiseEqual(other.Dparameters, first.Dparameters, $"dparameters, {count} threads");
                Compare.BitwiseEqual(other.Dx, first.Dx, $"dx, {count} threads");
            }
        }
        finally
        {
            CpuBackend.ThreadCount = threads;
        }
    }

    [Fact]
    public void ParametersHaveALeadingDimensionOfExpertsAndKeepTheirNames()
    {
        Assert.Equal(["weight [4, 3]", "bias [4]"],
            Parameters(Find("PolyNormExperts").CreateModule()).Select(p => $"{p.Name} [{string.Join(", ", p.Parameter.shape)}]"));
        Assert.Equal(new long[] { 3 }, Harness.Named(Find("XIELUExperts").CreateModule(), "alpha_p").shape);
        var kat = Find("KatGroupedRationalExperts").CreateModule();
        Assert.Equal(new long[] { 3 }, Harness.Named(kat, "a0").shape); // shared by the groups: one value per expert
        Assert.Equal(new long[] { 3, 4 }, Harness.Named(kat, "b1").shape);
        Assert.Equal(new long[] { 2, 2, 2 }, Harness.Named(Find("GroupedGatedNormSwishBetaExperts").CreateModule(), "weight").shape);
        // Every expert starts from the declared values.
        Assert.True(Harness.Named(kat, "b2").eq(0.2f).all().item<bool>());
        Assert.Contains("Experts = 4", Find("PolyNormExperts").Spec.ToString());
        Assert.Equal(4, ((IPolyComModule)Find("PolyNormExperts").CreateModule()).Descriptor.Experts);
    }
}
