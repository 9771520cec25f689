using System;
using System.Linq;
using PolyComGen.Backends.Cpu;
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
    /// <summary>
    /// <paramref name="shape"/> for <paramref name="descriptor"/>: as it is, or for a grouped activation with the last
    /// dimension times the groups, so that rows split into groups evenly.
    /// </summary>
    public static long[] ShapeFor(KernelDescriptor descriptor, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(shape);
        return descriptor.Groups == 1 || shape.Length == 0 ? shape : [.. shape[..^1], shape[^1] * descriptor.Groups];
    }

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
    /// every parameter (weights, bias and named ones) ~ N(0, 0.5^2). Rows of one element under norm() get x below 1e-3: there norm(u) is sign(u) up
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
        double[] parameters = Normal(random, descriptor.ParameterCount, 0.5);
        double[] Rounded(double[] values) => values.Select(format.Round).ToArray();
        return new ParityInputs(shape.ToArray(), Rounded(x), gate is null ? null : Rounded(gate), Rounded(dy), Rounded(parameters));
    }

    /// <summary>The float64 CPU kernels' outputs for <paramref name="inputs"/>: segments as the CPU backend cuts them, partials summed in order.</summary>
    public static KernelOutputs Reference(KernelDescriptor descriptor, ParityInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(inputs);
        double[] y = new double[inputs.X.Length], dx = new double[inputs.X.Length];
        double[]? dgate = inputs.Gate is null ? null : new double[inputs.X.Length];
        double[] sums = Backward(descriptor, inputs.X, inputs.Gate, inputs.Dy, inputs.Parameters, dx, dgate, Segments(descriptor, inputs));
        Forward(descriptor, inputs.X, inputs.Gate, inputs.Parameters, y, inputs.Width);
        return new KernelOutputs(y, dx, sums, dgate);
    }

    /// <summary>The errors of <paramref name="actual"/> against <paramref name="expected"/>, as <see cref="ParityResult"/> defines them.</summary>
    public static ParityResult Compare(KernelDescriptor descriptor, string target, StorageFormat format, ParityInputs inputs, KernelOutputs expected, KernelOutputs actual)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        double[] scales = SummandScales(descriptor, inputs);
        double[] errors = Enumerable.Range(0, descriptor.ParameterCount)
            .Select(k => SumError(actual.Dparameters[k], expected.Dparameters[k], scales[k], format)).ToArray();
        return new ParityResult(
            descriptor.Name, descriptor.Spec.ToString(), target, format, inputs.Shape,
            RelativeError(actual.Y, expected.Y, format), RelativeError(actual.Dx, expected.Dx, format),
            errors.Length == 0 ? 0 : errors.Max(),
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

    // The summands' magnitudes of each parameter's gradient. A PolyCom's weights and bias: sum |g * dy/dw_k| and sum |g|,
    // g the gradient reaching the polynomial (dy, times the gate when gated); y is linear in them, so dy/dw_k is the
    // ungated forward with w = e_k, b = 0 and the named parameters as they are. A named parameter: the sum of the
    // magnitudes of its partials over the finest segments the kernels take (one element, or one row under norm).
    private static double[] SummandScales(KernelDescriptor descriptor, ParityInputs inputs)
    {
        var scales = new double[descriptor.ParameterCount];
        int slots = descriptor.ParameterNames.Count, linear = descriptor.Spec.Activation ? 0 : descriptor.Order + 1;
        int width = inputs.Width, run = Math.Max(1, width / descriptor.Groups);
        int GroupOf(long element) => descriptor.Groups == 1 ? 0 : (int)(element % width / run);
        double[] g = inputs.Gate is null ? inputs.Dy.Select(Math.Abs).ToArray() : inputs.Dy.Zip(inputs.Gate, (d, s) => Math.Abs(d * s)).ToArray();
        double[]? ones = inputs.Gate is null ? null : Enumerable.Repeat(1.0, inputs.X.Length).ToArray();
        var basis = new double[inputs.X.Length];
        for (int k = 0; k < linear; k++)
        {
            // Weight k of every group 1, the other weights and the biases 0 (for the bias, k = Order: the basis is 1).
            double[] unit = (double[])inputs.Parameters.Clone();
            for (int group = 0; group < descriptor.Groups; group++)
            {
                Array.Clear(unit, group * slots, linear);
                if (k < linear - 1)
                {
                    unit[group * slots + k] = 1;
                }
            }
            if (k < linear - 1)
            {
                Forward(descriptor, inputs.X, ones, unit, basis, width);
            }
            for (int i = 0; i < basis.Length; i++)
            {
                scales[GroupOf(i) * slots + k] += g[i] * (k < linear - 1 ? Math.Abs(basis[i]) : 1);
            }
        }
        if (linear < slots)
        {
            var dx = new double[inputs.X.Length];
            double[]? dgate = inputs.Gate is null ? null : new double[inputs.X.Length];
            // The finest segments: one element (with its group's parameters), or one row under norm.
            CpuSegments layout = Segments(descriptor, inputs);
            CpuSegments finest = descriptor.Rowwise ? layout : layout with { SegmentLength = 1, Count = inputs.X.LongLength };
            double[] magnitudes = Backward(descriptor, inputs.X, inputs.Gate, inputs.Dy, inputs.Parameters, dx, dgate, finest, Math.Abs, descriptor.Rowwise ? null : GroupOf);
            for (int group = 0; group < descriptor.Groups; group++)
            {
                Array.Copy(magnitudes, group * slots + linear, scales, group * slots + linear, slots - linear);
            }
        }
        return scales;
    }

    private static CpuSegments Segments(KernelDescriptor descriptor, ParityInputs inputs) => CpuSegments.Of(descriptor, inputs.X.LongLength, inputs.Width);

    // The float64 CPU kernels, segment by segment as the CPU backend cuts them.
    private static void Forward(KernelDescriptor descriptor, double[] x, double[]? gate, double[] parameters, double[] y, int width)
    {
        CpuSegments layout = CpuSegments.Of(descriptor, x.LongLength, width);
        for (long s = 0; s < layout.Count; s++)
        {
            var (start, length, _) = layout[s];
            int at = (int)start;
            descriptor.Cpu.Forward(x.AsSpan(at, length), gate is null ? default : gate.AsSpan(at, length), y.AsSpan(at, length), parameters.AsSpan(layout.Offset(s), layout.Columns));
        }
    }

    // The sums of the segments' partials (of f of each, when given) into their groups' slots, in segment order.
    private static double[] Backward(KernelDescriptor descriptor, double[] x, double[]? gate, double[] dy, double[] parameters, double[] dx, double[]? dgate,
        CpuSegments layout, Func<double, double>? f = null, Func<long, int>? groupOf = null)
    {
        int columns = layout.Columns;
        var sums = new double[descriptor.ParameterCount];
        var partials = new double[columns];
        for (long s = 0; s < layout.Count; s++)
        {
            var (start, length, _) = layout[s];
            int offset = groupOf is null ? layout.Offset(s) : groupOf(start) * columns;
            int at = (int)start;
            descriptor.Cpu.Backward(x.AsSpan(at, length), gate is null ? default : gate.AsSpan(at, length), dy.AsSpan(at, length),
                dx.AsSpan(at, length), dgate is null ? default : dgate.AsSpan(at, length), parameters.AsSpan(offset, columns), partials);
            for (int k = 0; k < columns; k++)
            {
                sums[offset + k] += f is null ? partials[k] : f(partials[k]);
            }
        }
        return sums;
    }

    private static bool BitwiseEqual(KernelOutputs a, KernelOutputs b)
    {
        static bool Same(double[]? p, double[]? q) => p is null ? q is null : q is not null && p.AsSpan().SequenceEqual(q);
        return Same(a.Y, b.Y) && Same(a.Dx, b.Dx) && Same(a.Dparameters, b.Dparameters) && Same(a.Dgate, b.Dgate);
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
