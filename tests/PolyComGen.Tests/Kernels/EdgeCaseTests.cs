using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Descriptor;

/// <summary>Shapes and values at the edges: views, empty tensors, H = 1, NaN and infinity.</summary>
public sealed class EdgeCaseTests
{
    [Theory]
    [InlineData("PolyNorm")]
    [InlineData("PolyReLU")]
    public void NonContiguousInputIsHandled(string variant)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(21);
        var (module, spec) = Variants.Create(variant);
        Harness.Randomise(module, float64, generator);
        Tensor x = randn([40, 12], dtype: float64, generator: generator).t(); // [12, 40], strides (1, 12)
        Assert.False(x.is_contiguous());
        Tensor upstream = randn([40, 12], dtype: float64, generator: generator).t();

        Outputs fused = Harness.Fused(module, x, upstream), reference = Harness.Reference(spec, module, x, upstream);

        Compare.Close(fused.Y, reference.Y, 1e-10, "y");
        Compare.Close(fused.Dx, reference.Dx, 1e-10, "dx");
        Compare.Close(fused.Dparameters, reference.Dparameters, 1e-10, "dparameters");
    }

    [Theory]
    [InlineData("GatedNormType2Order3")]
    [InlineData("GatedReLUType1Order3")]
    public void NonContiguousInputAndGateAreHandled(string variant)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(22);
        var module = SpecGrid.All[SpecGrid.IndexOf(variant)].CreateModule();
        Harness.Randomise(module, float64, generator);
        PolyComSpec spec = Harness.Spec(module);
        Tensor x = randn([40, 12], dtype: float64, generator: generator).t();
        Tensor gate = randn([12, 80], dtype: float64, generator: generator)[TensorIndex.Colon, TensorIndex.Slice(0, 80, 2)]; // strides (80, 2)
        Assert.False(x.is_contiguous() || gate.is_contiguous());
        Tensor upstream = randn([12, 40], dtype: float64, generator: generator);

        Outputs fused = Harness.Fused(module, x, upstream, gate), reference = Harness.Reference(spec, module, x, upstream, gate);

        Compare.Close(fused.Y, reference.Y, 1e-10, "y");
        Compare.Close(fused.Dx, reference.Dx, 1e-10, "dx");
        Compare.Close(fused.Dparameters, reference.Dparameters, 1e-10, "dparameters");
        Compare.SameGate(fused, reference, 1e-10, variant);
    }

    [Theory]
    [InlineData("PolyNorm", new long[] { 0, 8 })]
    [InlineData("PolyNorm", new long[] { 4, 0 })]
    [InlineData("PolyReLU", new long[] { 0 })]
    public void EmptyInputGivesEmptyOutputAndZeroParameterGradients(string variant, long[] shape)
    {
        using var scope = NewDisposeScope();
        var (module, _) = Variants.Create(variant);
        module.to(float64);
        Outputs fused = Harness.Fused(module, zeros(shape, dtype: float64), zeros(shape, dtype: float64));

        Assert.Equal(shape, fused.Y.shape);
        Assert.Equal(shape, fused.Dx.shape);
        Assert.Equal([4L], fused.Dparameters.shape);
        Assert.Equal(0.0, fused.Dparameters.abs().sum().item<double>());
    }

    [Fact]
    public void RowsOfLengthOneWork()
    {
        using var scope = NewDisposeScope();
        var (module, spec) = Variants.Create("PolyNorm");
        module.to(float64);
        Tensor x = tensor(new[] { 0.2, -0.1, 0.05 }, dtype: float64).reshape(3, 1), upstream = ones([3, 1], dtype: float64);

        Outputs fused = Harness.Fused(module, x, upstream), reference = Harness.Reference(spec, module, x, upstream);

        Compare.Close(fused.Y, reference.Y, 1e-12, "y");
        Compare.Close(fused.Dx, reference.Dx, 1e-10, "dx");
    }

    [Theory]
    [InlineData("PolyNorm")]
    [InlineData("PolyReLU")]
    public void NaNAndInfinityPropagateAsInTheReference(string variant)
    {
        using var scope = NewDisposeScope();
        var (module, spec) = Variants.Create(variant);
        module.to(float32);
        // Long enough for both the vector loop and the scalar tail; row 0 has a NaN, row 1 an infinity, row 2 is finite.
        Tensor x = randn([3, 37], generator: new torch.Generator(3));
        x[0, 5] = float.NaN;
        x[0, 36] = float.NaN;
        x[1, 2] = float.PositiveInfinity;
        Tensor upstream = ones([3, 37]);

        Outputs fused = Harness.Fused(module, x, upstream), reference = Harness.Reference(spec, module, x, upstream);

        Assert.Equal(reference.Y.isnan().data<bool>().ToArray(), fused.Y.isnan().data<bool>().ToArray());
        Assert.Equal(reference.Y.isinf().data<bool>().ToArray(), fused.Y.isinf().data<bool>().ToArray());
        Tensor finiteRows = reference.Y.isfinite().all(1);
        Compare.Close(fused.Y[finiteRows], reference.Y[finiteRows].to(float32), 1e-5, "finite rows");
    }

    [Theory]
    [InlineData("PolyReLU")]
    [InlineData("SquareType1Order4")]
    [InlineData("IdentityType2Order8")]
    public void OutputsTooLargeForFloat32AreNonFiniteWhereEagerFloat32IsNeverFiniteAndWrong(string variant)
    {
        // Type 1 (and Type 2) powers of a huge inner value do not fit float32: the result is Inf or NaN exactly where
        // the eager float32 formula's is, and matches float64 wherever it is finite.
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(17);
        var module = SpecGrid.All[SpecGrid.IndexOf(variant)].CreateModule();
        Harness.Randomise(module, float32, generator);
        var (weight, bias) = Harness.Parameters(module);
        PolyComSpec spec = Harness.Spec(module);
        Tensor magnitudes = pow(10.0, linspace(0, 30, 41, dtype: float64));
        Tensor x = (magnitudes * (randn([41], dtype: float64, generator: generator).sign())).to(float32).reshape(1, 41);

        Tensor fused, eager, exact;
        using (no_grad())
        {
            fused = ((nn.Module<Tensor, Tensor>)module).forward(x);
            eager = Support.Reference.Forward(spec, x, null, weight, bias);
            exact = Support.Reference.Forward(spec, x.to(float64), null, weight.to(float64), bias.to(float64));
        }

        Assert.Equal(eager.isfinite().data<bool>().ToArray(), fused.isfinite().data<bool>().ToArray());
        Tensor finite = fused.isfinite();
        Assert.True(finite.any().item<bool>() && !finite.all().item<bool>(), "the inputs should span the overflow threshold");
        Tensor error = (fused[finite].to(float64) - exact[finite]).abs() / exact[finite].abs().clamp_min(1e-30);
        Assert.True(error.max().item<double>() < 1e-4, $"{variant}: finite outputs off by {error.max().item<double>():E2}");
    }

    [Fact]
    public void ReluOfNaNIsNaNInTheVectorLoopAndTheTail()
    {
        using var scope = NewDisposeScope();
        var (module, _) = Variants.Create("PolyReLU");
        module.to(float32);
        Tensor x = full([67], float.NaN);
        using (no_grad())
        {
            Assert.True(module.forward(x).isnan().all().item<bool>());
        }
    }
}
