using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Eager;

/// <summary>
/// What the generated eager code (<c>EagerForward</c>, <c>EagerBackward</c>) calls: the plans' reductions, the
/// expression language's operations that TorchSharp has no tensor-tensor form of, and constants as tensors.
/// No method passes a temporary Scalar to native code, which TorchSharp does not keep alive across the call.
/// </summary>
public static class EagerMath
{
    private static readonly Scalar One = 1.0.ToScalar(); // held for the life of the process

    /// <summary>A 0-dimensional tensor of <paramref name="value"/> in <paramref name="like"/>'s dtype and device.</summary>
    public static Tensor Constant(double value, Tensor like) => tensor(value, dtype: like.dtype, device: like.device);

    /// <summary>a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b) => a.add(b, One);

    /// <summary>The sum over the last dimension, kept: a row statistic.</summary>
    public static Tensor RowSum(Tensor t) => t.sum(new long[] { -1 }, keepdim: true);

    /// <summary>The largest value over the last dimension, kept: a row statistic.</summary>
    public static Tensor RowMax(Tensor t) => t.amax(new long[] { -1 }, keepdim: true);

    /// <summary>The sum of every element, as a 0-dimensional tensor.</summary>
    public static Tensor Total(Tensor t) => t.sum();

    /// <summary>The largest element, as a 0-dimensional tensor.</summary>
    public static Tensor TotalMax(Tensor t) => t.max();

    /// <summary>
    /// Slot <paramref name="slot"/> of each of <paramref name="groups"/> groups of the parameter vector, each repeated
    /// over its group's columns: a vector over <paramref name="x"/>'s last dimension.
    /// </summary>
    public static Tensor GroupParameter(Tensor parameters, int slot, int groups, Tensor x) =>
        parameters.view(groups, -1).select(1, slot).repeat_interleave(x.shape[^1] / groups);

    /// <summary>The sums of <paramref name="value"/> (broadcast to x's shape) over each group's columns of every row.</summary>
    public static Tensor GroupSum(Tensor value, int groups, Tensor x) =>
        value.broadcast_to(x.shape).reshape(-1, groups, x.shape[^1] / groups).sum(new long[] { 0, 2 });

    /// <summary>Per-group vectors, one per slot, as one vector group after group.</summary>
    public static Tensor StackGroups(params Tensor[] parts) => stack(parts, 1).reshape(-1);

    /// <summary>0-dimensional tensors stacked into a vector.</summary>
    public static Tensor Stack(params Tensor[] parts) => stack(parts.Select(p => p.reshape(new long[] { 1 })), 0).reshape(new long[] { parts.Length });

    /// <summary>1 where u &gt; 0, else 0: relu's derivative (not differentiable itself).</summary>
    public static Tensor Step(Tensor u)
    {
        using var zero = Constant(0, u);
        return u.gt(zero).to_type(u.dtype);
    }

    /// <summary>-1, 0 or 1: abs's derivative.</summary>
    public static Tensor Sign(Tensor u) => u.sign();

    /// <summary>1 where u &gt; 0, 1/2 where u is 0, else 0: the derivatives of max and min.</summary>
    public static Tensor Heaviside(Tensor u)
    {
        using var scope = NewDisposeScope();
        Tensor zero = Constant(0, u), half = Constant(0.5, u);
        return Add(Step(u), u.eq(zero).to_type(u.dtype).mul(half)).MoveToOuterDisposeScope();
    }

    /// <summary>log(1 + exp(u)), as logaddexp(u, 0): stable, and its derivative is sigmoid(u) everywhere.</summary>
    public static Tensor Softplus(Tensor u)
    {
        using var zero = Constant(0, u);
        return u.logaddexp(zero);
    }

    /// <summary>Whether every element of <paramref name="scales"/> is 1: the rows need no rescaled rerun of their statistics.</summary>
    public static bool AllOne(Tensor scales)
    {
        using var scope = NewDisposeScope();
        return scales.eq(Constant(1, scales)).all().item<bool>();
    }

    /// <summary>
    /// The scale each row's norm statistic needs (docs/math.md, section 4): 1 where q, computed unscaled, is at most
    /// <see cref="Contract.KernelContract.NormStatisticLimit"/>; else the power of two 2^-e that brings the row's
    /// largest magnitude m into [1/2, 1), or 1 where m is at most 1 or not finite. Detached, since norm() does not
    /// depend on it.
    /// </summary>
    public static Tensor Rescale(Tensor m, Tensor q)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor one = Constant(1, m);
        Tensor limit = Constant(Contract.KernelContract.NormStatisticLimit, m);
        Tensor scaled = m.gt(one).logical_and(m.isfinite()).logical_and(q.le(limit).logical_not());
        Tensor power = m.log2().floor().neg().sub(one).exp2();
        return one.where(scaled.logical_not(), power).MoveToOuterDisposeScope();
    }
}
