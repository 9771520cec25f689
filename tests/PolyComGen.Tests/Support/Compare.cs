using System;
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

    /// <summary>
    /// For a tensor of sums (the parameters' gradients): max_k |actual_k - expected_k| / max(scale_k, floor), where scale_k is the
    /// sum of the magnitudes of sum k's terms, the scale of its rounding error: a sum that cancels to near zero has
    /// no relative accuracy in any precision. <paramref name="floor"/> is the storage dtype's smallest normal number.
    /// </summary>
    public static double SumError(Tensor actual, Tensor expected, Tensor scale, double floor = 1.1754943508222875e-38)
    {
        using var scope = NewDisposeScope();
        return expected.numel() == 0 ? 0 : ((actual.detach().to(float64) - expected.detach().to(float64)).abs() / scale.to(float64).clamp_min(floor)).max().item<double>();
    }

    public static void CloseSums(Tensor actual, Tensor expected, Tensor scale, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = SumError(actual, expected, scale);
        Assert.True(error < tolerance, $"{what}: error {error:E2} of the sum of magnitudes exceeds {tolerance:E0}");
    }

    /// <summary>dgate of a gated spec against the reference's; both absent for an ungated one.</summary>
    public static void SameGate(Outputs actual, Outputs expected, double tolerance, string what)
    {
        Assert.Equal(expected.Dgate is null, actual.Dgate is null);
        if (expected.Dgate is not null)
        {
            Close(actual.Dgate!, expected.Dgate, tolerance, $"{what} dgate");
        }
    }

    public static void BitwiseEqual(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        byte[] a = actual.contiguous().bytes.ToArray(), e = expected.contiguous().bytes.ToArray();
        Assert.True(a.AsSpan().SequenceEqual(e), $"{what}: not bitwise identical");
    }
}
