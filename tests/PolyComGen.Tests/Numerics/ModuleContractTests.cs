using System.Linq;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Numerics;

/// <summary>The public contract of a generated module: parameters, their names, shapes and initial values.</summary>
public sealed class ModuleContractTests
{
    [Theory]
    [InlineData("PolyNorm")]
    [InlineData("PolyReLU")]
    public void NamedParametersAreExactlyWeightAndBias(string variant)
    {
        var (module, spec) = Variants.Create(variant);
        var named = module.named_parameters().ToList();

        Assert.Equal(["weight", "bias"], named.Select(p => p.name).ToArray());
        var (weight, bias) = Harness.Parameters(module);
        Assert.Equal([(long)spec.Order], weight.shape);
        Assert.Equal([1L], bias.shape);
        Assert.All(weight.data<float>().ToArray(), w => Assert.Equal(1f / spec.Order, w));
        Assert.Equal(0f, bias.data<float>()[0]);
        Assert.True(weight.requires_grad && bias.requires_grad);
        Assert.Equal(["weight", "bias"], module.state_dict().Keys.ToArray());
    }

    [Fact]
    public void CudaSourceIsTheGeneratedTranslationUnit()
    {
        Assert.Contains("extern \"C\" __global__", PolyNorm.CudaSource);
        Assert.Contains("polycom_forward_bf16", PolyNorm.CudaSource);
        Assert.Contains("#define PCG_ORDER 3", PolyNorm.CudaSource);
        Assert.DoesNotContain("#include", PolyNorm.CudaSource);
        Assert.Contains("extern \"C\" __global__ void __launch_bounds__(PCG_BLOCK) polycom_backward_f16(", PolyReLU.CudaSource);
    }

    [Fact]
    public void SpecReflectsTheAttribute()
    {
        Assert.Equal(new PolyComSpec(2, "Norm", 3, 1e-6), PolyNorm.Spec);
        Assert.Equal(new PolyComSpec(1, "ReLU", 3, 1e-6), PolyReLU.Spec);
        Assert.Equal("[PolyCom(Order = 3, Inner = \"Norm\", Type = 2)]", PolyNorm.Spec.ToString());
    }
}
