using System;
using System.Collections.Generic;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>
/// The rows of an input grouped by expert, as grouped GEMMs take them: expert e's rows are
/// <c>Offsets[e]..Offsets[e+1]</c> of x [N, H], with offsets non-decreasing from 0 to N (an expert may have none).
/// Each row uses its expert's parameter vector; the parameter gradient has a vector per expert, the partials of its
/// rows summed in a fixed order (zero for an expert without rows). Read once from the offsets tensor and checked
/// (<see cref="Of"/>), before any kernel runs.
/// </summary>
public sealed class ExpertRows
{
    private readonly long[] _offsets;

    private ExpertRows(long[] offsets) => _offsets = offsets;

    /// <summary>The number of experts.</summary>
    public int Experts => _offsets.Length - 1;

    /// <summary>The rows of all experts, N.</summary>
    public long Rows => _offsets[^1];

    /// <summary>The group boundaries: E + 1 values from 0 to N.</summary>
    public IReadOnlyList<long> Offsets => _offsets;

    /// <summary>The most rows any expert has (what a launch sizes its rows of blocks for).</summary>
    public long Busiest
    {
        get
        {
            long most = 0;
            for (int e = 0; e < Experts; e++)
            {
                most = Math.Max(most, _offsets[e + 1] - _offsets[e]);
            }
            return most;
        }
    }

    /// <summary>The offsets as an int64 tensor on <paramref name="device"/>, for the kernels (the caller disposes it).</summary>
    public Tensor OffsetsOn(Device device)
    {
        Tensor host = tensor(_offsets, dtype: ScalarType.Int64);
        if (device.type == TorchSharp.DeviceType.CPU)
        {
            return host;
        }
        using (host)
        {
            return host.to(device);
        }
    }

    /// <summary>Expert <paramref name="expert"/>'s rows: the first and how many.</summary>
    public (long Start, long Count) this[int expert] => (_offsets[expert], _offsets[expert + 1] - _offsets[expert]);

    /// <summary>
    /// The offsets of <paramref name="offsets"/> for input <paramref name="x"/> of a module with
    /// <see cref="KernelDescriptor.Experts"/> experts, checked: int64, one dimension of E + 1 values, on x's device,
    /// starting at 0, never decreasing, ending at x's rows; x of shape [N, H].
    /// </summary>
    /// <exception cref="ArgumentException">The offsets or x's shape are wrong (the message names what is wrong).</exception>
    public static ExpertRows Of(KernelDescriptor descriptor, Tensor x, Tensor? offsets)
    {
        InputChecks.RequireNotNull(descriptor, x);
        string module = descriptor.Name;
        int experts = descriptor.Experts;
        if (offsets is null)
        {
            throw new ArgumentNullException(nameof(offsets), $"{module} has {experts} experts: its forward takes the rows grouped by expert and the offsets (int64 [{experts + 1}]) of the groups.");
        }
        if (x.dim() != 2)
        {
            throw new ArgumentException($"{module} has {experts} experts, so it takes x of shape [N, H] (rows grouped by expert), but x has shape [{string.Join(", ", x.shape)}].", nameof(x));
        }
        if (offsets.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"{module}: the offsets must be int64, but they are {offsets.dtype}.", nameof(offsets));
        }
        if (offsets.dim() != 1 || offsets.shape[0] != experts + 1)
        {
            throw new ArgumentException($"{module}: the offsets must have shape [{experts + 1}] (one more than the {experts} experts), but they have shape [{string.Join(", ", offsets.shape)}].", nameof(offsets));
        }
        if (offsets.device_type != x.device_type || offsets.device_index != x.device_index)
        {
            throw new ArgumentException($"{module}: the offsets are on {offsets.device} but x is on {x.device}; put them on x's device.", nameof(offsets));
        }
        long[] values;
        using (Tensor host = offsets.cpu().contiguous())
        {
            values = host.data<long>().ToArray();
        }
        long rows = x.shape[0];
        if (values[0] != 0)
        {
            throw new ArgumentException($"{module}: the offsets must start at 0, but offsets[0] is {values[0]}.", nameof(offsets));
        }
        for (int e = 0; e < experts; e++)
        {
            if (values[e + 1] < values[e])
            {
                throw new ArgumentException($"{module}: the offsets must not decrease, but offsets[{e + 1}] = {values[e + 1]} is less than offsets[{e}] = {values[e]}.", nameof(offsets));
            }
        }
        if (values[^1] != rows)
        {
            throw new ArgumentException($"{module}: the offsets must end at x's {rows} rows, but offsets[{experts}] is {values[^1]}.", nameof(offsets));
        }
        return new ExpertRows(values);
    }

    /// <summary>
    /// Runs <paramref name="eager"/> (a spec's eager forward, on x, the gate and one expert's parameter vector) expert
    /// by expert and joins the rows: the eager form of a module with experts, for references and second derivatives.
    /// </summary>
    public static Tensor EagerForward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, Tensor? offsets, Func<Tensor, Tensor?, Tensor, Tensor> eager)
    {
        ArgumentNullException.ThrowIfNull(eager);
        if (descriptor.Experts == 1 && offsets is null)
        {
            return eager(x, gate, parameters);
        }
        ExpertRows rows = Of(descriptor, x, offsets);
        var parts = new List<Tensor>(rows.Experts);
        for (int e = 0; e < rows.Experts; e++)
        {
            var (start, count) = rows[e];
            parts.Add(eager(x.narrow(0, start, count), gate?.narrow(0, start, count), rows.ParametersOf(descriptor, parameters, e)));
        }
        return cat(parts, 0);
    }

    /// <summary>
    /// Runs <paramref name="eager"/> (a spec's closed-form backward as differentiable eager ops) expert by expert and
    /// joins the gradients: x's and the gate's by rows, the parameters' expert after expert (zero for an expert without
    /// rows). Without <paramref name="experts"/>, <paramref name="eager"/> on the whole input.
    /// </summary>
    public static (Tensor Dx, Tensor Dparameters, Tensor? Dgate) EagerBackward(KernelDescriptor descriptor, ExpertRows? experts, Tensor x, Tensor? gate, Tensor dy, Tensor parameters,
        Func<Tensor, Tensor?, Tensor, Tensor, (Tensor, Tensor, Tensor?)> eager)
    {
        ArgumentNullException.ThrowIfNull(eager);
        if (experts is null)
        {
            return eager(x, gate, dy, parameters);
        }
        var (dx, dparameters, dgate) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
        for (int e = 0; e < experts.Experts; e++)
        {
            var (start, count) = experts[e];
            var (edx, edparameters, edgate) = eager(x.narrow(0, start, count), gate?.narrow(0, start, count), dy.narrow(0, start, count), experts.ParametersOf(descriptor, parameters, e));
            dx.Add(edx);
            dparameters.Add(count == 0 ? zeros_like(edparameters) : edparameters);
            if (edgate is not null)
            {
                dgate.Add(edgate);
            }
        }
        return (cat(dx, 0), cat(dparameters, 0), gate is null ? null : cat(dgate, 0));
    }

    /// <summary>Expert <paramref name="expert"/>'s parameter vector: a view of the module's vector.</summary>
    public Tensor ParametersOf(KernelDescriptor descriptor, Tensor parameters, int expert) =>
        parameters.narrow(0, (long)expert * descriptor.ParameterCount, descriptor.ParameterCount);
}
