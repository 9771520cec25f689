using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Robustness;

/// <summary>Inputs and modes a user can give the generated modules, none of which can crash the process.</summary>
[Trait("Category", "Robustness")]
public sealed class InProcessRobustnessTests
{
    // Every dtype but the two the CPU kernels take, among those libtorch can allocate on the CPU (it cannot allocate
    // some, such as the quantised types, without a quantiser): each must be a clear ArgumentException.
    public static IEnumerable<object[]> UnsupportedDtypes() =>
        Enum.GetValues<ScalarType>().Where(t => t is not (ScalarType.Float32 or ScalarType.Float64) && Allocatable(t)).Select(t => new object[] { t });

    private static bool Allocatable(ScalarType dtype)
    {
        try
        {
            zeros([1], dtype: dtype).Dispose();
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or System.Runtime.InteropServices.ExternalException)
        {
            return false;
        }
    }

    [Fact]
    public void TheUnsupportedDtypesCoverTheCommonOnes()
    {
        ScalarType[] checkedDtypes = UnsupportedDtypes().Select(d => (ScalarType)d[0]).ToArray();
        Assert.Superset(new HashSet<ScalarType> { ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int32, ScalarType.Int64, ScalarType.Bool, ScalarType.ComplexFloat32 },
            new HashSet<ScalarType>(checkedDtypes));
    }

    [Theory]
    [MemberData(nameof(UnsupportedDtypes))]
    public void EveryUnsupportedCpuDtypeIsAnArgumentExceptionBeforeAnyKernelRuns(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (module, _) = Variants.Create("PolyNorm");
        Tensor x = zeros([2, 4], dtype: dtype);
        var error = Assert.Throws<ArgumentException>(() => module.forward(x));
        Assert.Contains(dtype.ToString(), error.Message);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void EveryCombinationOfRequiresGradGivesTheReferenceGradients(bool inputRequiresGrad, bool parametersRequireGrad)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(3);
        var (module, spec) = Variants.Create("PolyNorm");
        Harness.Randomise(module, float64, generator);
        var (weight, bias) = Harness.Parameters(module);
        weight.requires_grad_(parametersRequireGrad);
        bias.requires_grad_(parametersRequireGrad);
        Tensor x = randn([4, 33], dtype: float64, generator: generator);
        x.requires_grad_(inputRequiresGrad);

        Tensor y = module.forward(x);

        Assert.Equal(inputRequiresGrad || parametersRequireGrad, y.requires_grad);
        Outputs reference = Harness.Reference(spec, module, x, ones_like(x));
        Compare.Close(y, reference.Y, 1e-10, "y");
        if (y.requires_grad)
        {
            y.sum().backward();
            if (inputRequiresGrad)
            {
                Compare.Close(x.grad!, reference.Dx, 1e-10, "dx");
            }
            if (parametersRequireGrad)
            {
                Compare.Close(weight.grad!, reference.Dparameters[..(int)weight.numel()], 1e-10, "dweight");
            }
        }
    }

    [Fact]
    public void UnderNoGradAndInferenceModeNoGraphIsRecorded()
    {
        using var scope = NewDisposeScope();
        var (module, _) = Variants.Create("PolyReLU");
        Tensor x = randn(4, 16);
        x.requires_grad_();
        using (no_grad())
        {
            Assert.False(module.forward(x).requires_grad);
        }
        using (inference_mode())
        {
            Assert.False(module.forward(x.detach()).requires_grad);
        }
    }

    [Theory]
    [InlineData("PolyNorm")]
    [InlineData("PolyReLU")]
    public void ViewsWithAStorageOffsetAreHandled(string variant)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(9);
        var (module, spec) = Variants.Create(variant);
        Harness.Randomise(module, float64, generator);
        Tensor buffer = randn([4 * 37 + 3], dtype: float64, generator: generator);
        Tensor x = buffer.narrow(0, 3, 4 * 37).view(4, 37); // contiguous, but starting 3 elements into its storage
        Assert.Equal(3, x.storage_offset());
        Tensor upstream = randn([4, 37], dtype: float64, generator: generator);

        Outputs fused = Harness.Fused(module, x, upstream), reference = Harness.Reference(spec, module, x, upstream);

        Compare.Close(fused.Y, reference.Y, 1e-10, "y");
        Compare.Close(fused.Dx, reference.Dx, 1e-10, "dx");
        Compare.Close(fused.Dparameters, reference.Dparameters, 1e-10, "dparameters");
    }

    [Fact]
    public void FourThreadsSharingOneModuleGetTheSingleThreadedResults()
    {
        using var scope = NewDisposeScope();
        var (module, _) = Variants.Create("PolyNorm");
        module.to(float64);
        Tensor[] inputs = Enumerable.Range(0, 4).Select(i => randn([16, 300], dtype: float64, generator: new torch.Generator((ulong)i))).ToArray();
        Tensor[] expected = inputs.Select(x => Gradient(module, x)).ToArray();

        var actual = new Tensor[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var threadScope = NewDisposeScope();
            actual[i] = Enumerable.Range(0, 25).Select(_ => Gradient(module, inputs[i]).DetachFromDisposeScope()).ToArray();
        });

        for (int i = 0; i < 4; i++)
        {
            foreach (Tensor gradient in actual[i])
            {
                Compare.BitwiseEqual(gradient, expected[i], $"thread {i}");
            }
        }
    }

    // dx of sum(module(x)), computed with autograd.grad so that threads do not share the parameters' .grad.
    private static Tensor Gradient(nn.Module<Tensor, Tensor> module, Tensor x)
    {
        Tensor input = x.detach().requires_grad_();
        return autograd.grad([module.forward(input).sum()], [input])[0];
    }
}
