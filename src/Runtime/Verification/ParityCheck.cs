using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Contract;

namespace PolyComGen.Verification;

/// <summary>
/// The one parity checker: a spec's kernels on a target (the CPU kernels in float32, the CUDA kernels on the emulated
/// device or on a GPU) against its float64 CPU kernels, on the same inputs rounded to the target's storage format.
/// The tests, <c>polycom check</c> (both forms) and the GPU checker all check through it, so they measure the same way.
/// Runs on arrays and the descriptor's CPU kernels alone: no libtorch is needed (the GPU checker has none).
/// </summary>
public static class ParityCheck
{
    /// <summary>The bound of every error: 1e-5 for float32 storage, 1e-2 for bfloat16 and float16.</summary>
    public static double Tolerance(StorageFormat format) => format == StorageFormat.Float32 ? 1e-5 : 1e-2;

    /// <summary>
    /// Checks <paramref name="descriptor"/> on <paramref name="target"/> for seeded inputs of <paramref name="shape"/>; with
    /// <paramref name="runs"/> = 2 the target runs twice and every output must repeat bitwise.
    /// </summary>
    public static ParityResult Run(KernelDescriptor descriptor, IParityTarget target, StorageFormat format, long[] shape, ulong seed, int runs = 1)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ParityInputs inputs = Inputs(descriptor, shape, format, seed);
        KernelOutputs actual = target.Run(descriptor, format, inputs);
        bool? repeatable = null;
        for (int run = 1; run < runs; run++)
        {
            repeatable = (repeatable ?? true) && BitwiseEqual(actual, target.Run(descriptor, format, inputs));
        }
        return Compare(descriptor, target.Name, format, inputs, Reference(descriptor, inputs), actual) with { Repeatable = repeatable };
    }

    /// <summary>
    /// Seeded inputs for <paramref name="shape"/>, rounded to <paramref name="format"/>: x ~ N(0, 0.9^2) with every
    /// tenth element (at random) exactly 0, where relu, abs and max have their kinks; the gate and dy ~ N(0, 1);
    /// weights and bias ~ N(0, 0.5^2). Rows of one element under norm() get x below 1e-3: there norm(u) is sign(u) up
    /// to eps, and its derivative a cancellation that no float32 evaluation survives once u^2 exceeds eps.
    /// </summary>
    public static ParityInputs Inputs(KernelDescriptor descriptor, long[] shape, StorageFormat format, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(shape);
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        long count = shape.Aggregate(1L, (product, d) => checked(product * d));
        double scale = descriptor.Rowwise && shape.Length > 0 && shape[^1] == 1 ? 0.9e-3 : 0.9;
        double[] x = Normal(random, count, scale);
        if (count > 1)
        {
            for (long i = 0; i < count; i++)
            {
                if (random.Next(10) == 0)
                {
                    x[i] = 0;
                }
            }
        }
        double[]? gate = descriptor.Gated ? Normal(random, count, 1.0) : null;
        double[] dy = Normal(random, count, 1.0);
        double[] weight = Normal(random, descriptor.Order, 0.5);
        double bias = Normal(random, 1, 0.5)[0];
        double[] Rounded(double[] values) => values.Select(format.Round).ToArray();
        return new ParityInputs(shape.ToArray(), Rounded(x), gate is null ? null : Rounded(gate), Rounded(dy), Rounded(weight), format.Round(bias));
    }

    /// <summary>The float64 CPU kernels' outputs for <paramref name="inputs"/>: segments as the CPU backend cuts them, partials summed in order.</summary>
    public static KernelOutputs Reference(KernelDescriptor descriptor, ParityInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(inputs);
        double[] y = new double[inputs.X.Length], dx = new double[inputs.X.Length];
        double[]? dgate = inputs.Gate is null ? null : new double[inputs.X.Length];
        double[] sums = Backward(descriptor, inputs.X, inputs.Gate, inputs.Dy, inputs.Weight, inputs.Bias, dx, dgate, inputs.Width);
        Forward(descriptor, inputs.X, inputs.Gate, inputs.Weight, inputs.Bias, y, inputs.Width);
        return new KernelOutputs(y, dx, sums[..descriptor.Order], [sums[descriptor.Order]], dgate);
    }

    /// <summary>The errors of <paramref name="actual"/> against <paramref name="expected"/>, as <see cref="ParityResult"/> defines them.</summary>
    public static ParityResult Compare(KernelDescriptor descriptor, string target, StorageFormat format, ParityInputs inputs, KernelOutputs expected, KernelOutputs actual)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var (weightScales, biasScale) = SummandScales(descriptor, inputs);
        double[] weightErrors = Enumerable.Range(0, descriptor.Order)
            .Select(k => SumError(actual.Dweight[k], expected.Dweight[k], weightScales[k], format)).ToArray();
        return new ParityResult(
            descriptor.Name, descriptor.Spec.ToString(), target, format, inputs.Shape,
            RelativeError(actual.Y, expected.Y, format), RelativeError(actual.Dx, expected.Dx, format),
            weightErrors.Length == 0 ? 0 : weightErrors.Max(), SumError(actual.Dbias[0], expected.Dbias[0], biasScale, format),
            expected.Dgate is null ? null : RelativeError(actual.Dgate!, expected.Dgate, format),
            Repeatable: null, Tolerance(format));
    }

    // max |a - e| / max |e|. Where the float64 value overflows the format and the kernels stored that same infinity, the
    // entry counts as exact: a float16 sum of a few thousand terms can exceed 65504, and infinity is then right.
    private static double RelativeError(double[] actual, double[] expected, StorageFormat format)
    {
        double error = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                if (double.IsNaN(e) && double.IsNaN(a))
                {
                    continue; // both NaN where the formula is (log of a negative number, say)
                }
                return double.NaN;
            }
            if (!double.IsFinite(e) || !double.IsFinite(a))
            {
                if (a == e || (double.IsFinite(e) && a == format.Round(e)))
                {
                    continue;
                }
                return double.PositiveInfinity;
            }
            error = Math.Max(error, Math.Abs(a - e));
            scale = Math.Max(scale, Math.Abs(e));
        }
        return scale > 0 ? error / scale : error;
    }

    private static double SumError(double actual, double expected, double scale, StorageFormat format)
    {
        if (actual == expected || (double.IsFinite(expected) && double.IsInfinity(format.Round(expected)) && actual == format.Round(expected)))
        {
            return 0;
        }
        return Math.Abs(actual - expected) / Math.Max(scale, format.SmallestNormal);
    }

    // sum |g * dy/dw_k| and sum |g|, g the gradient reaching the polynomial (dy, times the gate when gated): y is linear in
    // the weights, so dy/dw_k is the ungated forward with w = e_k and b = 0.
    private static (double[] Weight, double Bias) SummandScales(KernelDescriptor descriptor, ParityInputs inputs)
    {
        double[] g = inputs.Gate is null ? inputs.Dy.Select(Math.Abs).ToArray() : inputs.Dy.Zip(inputs.Gate, (d, s) => Math.Abs(d * s)).ToArray();
        double[]? ones = inputs.Gate is null ? null : Enumerable.Repeat(1.0, inputs.X.Length).ToArray();
        var basis = new double[inputs.X.Length];
        var scales = new double[descriptor.Order];
        for (int k = 0; k < descriptor.Order; k++)
        {
            double[] unit = new double[descriptor.Order];
            unit[k] = 1;
            Forward(descriptor, inputs.X, ones, unit, 0, basis, inputs.Width);
            for (int i = 0; i < basis.Length; i++)
            {
                scales[k] += g[i] * Math.Abs(basis[i]);
            }
        }
        return (scales, g.Sum());
    }

    // The float64 CPU kernels segment by segment: a row for rowwise kernels, the CPU backend's segment length otherwise.
    private static void Forward(KernelDescriptor descriptor, double[] x, double[]? gate, double[] weight, double bias, double[] y, int width)
    {
        foreach (var (start, length) in Segments(descriptor, x.Length, width))
        {
            descriptor.Cpu.Forward(x.AsSpan(start, length), gate is null ? default : gate.AsSpan(start, length), y.AsSpan(start, length), weight, bias);
        }
    }

    private static double[] Backward(KernelDescriptor descriptor, double[] x, double[]? gate, double[] dy, double[] weight, double bias, double[] dx, double[]? dgate, int width)
    {
        int columns = KernelContract.PartialColumns(descriptor.Order);
        var sums = new double[columns];
        var partials = new double[columns];
        foreach (var (start, length) in Segments(descriptor, x.Length, width))
        {
            descriptor.Cpu.Backward(x.AsSpan(start, length), gate is null ? default : gate.AsSpan(start, length), dy.AsSpan(start, length),
                dx.AsSpan(start, length), dgate is null ? default : dgate.AsSpan(start, length), weight, bias, partials);
            for (int k = 0; k < columns; k++)
            {
                sums[k] += partials[k];
            }
        }
        return sums;
    }

    private static IEnumerable<(int Start, int Length)> Segments(KernelDescriptor descriptor, int count, int width)
    {
        int segment = descriptor.Rowwise ? width : KernelContract.ElementwiseSegmentLength;
        for (int start = 0; segment > 0 && start < count; start += segment)
        {
            yield return (start, Math.Min(segment, count - start));
        }
    }

    private static bool BitwiseEqual(KernelOutputs a, KernelOutputs b)
    {
        static bool Same(double[]? p, double[]? q) => p is null ? q is null : q is not null && p.AsSpan().SequenceEqual(q);
        return Same(a.Y, b.Y) && Same(a.Dx, b.Dx) && Same(a.Dweight, b.Dweight) && Same(a.Dbias, b.Dbias) && Same(a.Dgate, b.Dgate);
    }

    private static double[] Normal(Random random, long count, double scale)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return values;
    }
}
