using System;
using PolyComGen.Tests.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Descriptor;

/// <summary>A wrong tensor is an exception that names the problem, thrown before any kernel runs.</summary>
public sealed class InputValidationTests
{
    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void UnsupportedDtypeNamesTheSupportedOnes(ScalarType dtype)
    {
        var (module, _) = Variants.Create("PolyNorm");
        var error = Assert.Throws<ArgumentException>(() => module.forward(ones([2, 4], dtype: dtype)));
        Assert.Contains(dtype.ToString(), error.Message);
        Assert.Contains("Float32 and Float64", error.Message);
    }

    [Fact]
    public void DtypeMismatchWithTheParametersIsReported()
    {
        var (module, _) = Variants.Create("PolyReLU");
        var error = Assert.Throws<ArgumentException>(() => module.forward(ones([2, 4], dtype: float64)));
        Assert.Contains("does not match the parameters' dtype Float32", error.Message);
        Assert.Contains("PolyReLU", error.Message);
    }

    [Fact]
    public void ScalarInputToNormIsReported()
    {
        var (module, _) = Variants.Create("PolyNorm");
        var error = Assert.Throws<ArgumentException>(() => module.forward(tensor(1.0f)));
        Assert.Contains("0-dimensional", error.Message);
    }

    [Fact]
    public void ValidationHappensBeforeAnyOutputIsWritten()
    {
        var (module, _) = Variants.Create("PolyNorm");
        Tensor x = ones([2, 4], dtype: ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => module.forward(x));
        Assert.Equal(8L, x.sum().item<long>()); // untouched
    }

    [Fact]
    public void GateOfAnotherShapeIsReportedWithBothShapes()
    {
        var module = GatedPolyNorm();
        Tensor x = ones([2, 4]), gate = ones([2, 1]);
        var error = Assert.Throws<ArgumentException>(() => module.forward(x, gate));
        Assert.Contains("GatedNormType2Order3", error.Message);
        Assert.Contains("the gate (Float32, [2, 1]", error.Message);
        Assert.Contains("[2, 4]", error.Message);
        Assert.Equal("gate", error.ParamName);
    }

    [Fact]
    public void GateOfAnotherDtypeIsReported()
    {
        var module = GatedPolyNorm();
        var error = Assert.Throws<ArgumentException>(() => module.forward(ones([2, 4]), ones([2, 4], dtype: float64)));
        Assert.Contains("must have the input's dtype, shape and device", error.Message);
    }

    [Fact]
    public void MissingGateIsReported()
    {
        var module = GatedPolyNorm();
        var error = Assert.Throws<ArgumentNullException>(() => module.forward(ones([2, 4]), null!));
        Assert.Contains("is gated", error.Message);
    }

    private static nn.Module<Tensor, Tensor, Tensor> GatedPolyNorm() =>
        (nn.Module<Tensor, Tensor, Tensor>)SpecGrid.All[SpecGrid.IndexOf("GatedNormType2Order3")].Create();
}
