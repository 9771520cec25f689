using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Support;

/// <summary>Tensor comparisons with messages that say where and by how much.</summary>
public static class Compare
{
    /// <summary>max |actual - expected| / max |expected| (absolute when expected is all zero).</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        Tensor a = actual.detach().to(float64), e = expected.detach().to(float64);
        double scale = e.numel() == 0 ? 0 : e.abs().max().item<double>();
        double error = e.numel() == 0 ? 0 : (a - e).abs().max().item<double>();
        return scale > 0 ? error / scale : error;
    }

    public static void Close(Tensor actual, Tensor expected, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = RelativeError(actual, expected);
        Assert.True(error < tolerance, $"{what}: relative error {error:E2} exceeds {tolerance:E0}");
    }

    public static void BitwiseEqual(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        byte[] a = actual.contiguous().bytes.ToArray(), e = expected.contiguous().bytes.ToArray();
        Assert.True(a.AsSpan().SequenceEqual(e), $"{what}: not bitwise identical");
    }
}
