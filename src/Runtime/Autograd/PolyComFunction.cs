using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using PolyComGen.Backends;
using PolyComGen.Contract;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Autograd;

/// <summary>
/// The TorchSharp autograd function of one generated spec: forward and backward run
/// <typeparamref name="TKernel"/>'s fused kernels, and only x (and the gate) and the parameter vector are saved for
/// backward. Generated modules call <see cref="Apply(Tensor, Tensor?, Tensor, Tensor?)"/> with their parameters in one vector
/// (which autograd splits back into the named parameters); it checks its inputs before any kernel runs.
/// </summary>
/// <remarks>
/// When the backward runs with grad mode on (create_graph, as for gradient penalties and Hessian-vector products),
/// it computes the gradients with the kernels' closed forms as differentiable eager ops (the generated
/// <c>EagerBackward</c>), so that they carry a graph and second derivatives are right; otherwise with the fused
/// kernels. Safe without dispose scopes and under garbage collections on other threads (<see cref="NativeHandoff"/>),
/// and nothing in the backward can throw into libtorch, which would abort the process: an in-place change of a
/// saved tensor is reported by libtorch as a catchable error (<see cref="InPlaceGuard"/>).
/// </remarks>
/// <typeparam name="TKernel">The kernels the generator emitted for the spec.</typeparam>
public sealed class PolyComFunction<TKernel> : autograd.SingleTensorFunction<PolyComFunction<TKernel>>
    where TKernel : IPolyComKernel
{
    /// <inheritdoc/>
    public override string Name => TKernel.Descriptor.Name;

    /// <summary>
    /// Computes the activation of <paramref name="x"/> (times <paramref name="gate"/> for a gated spec), recording it
    /// for autograd when any input requires grad.
    /// </summary>
    /// <param name="x">Input of shape [..., H]: float32 or float64 on the CPU; float32, bfloat16 or float16 on a CUDA device.</param>
    /// <param name="gate">The gate, of x's shape, dtype and device (no broadcasting); null for an activation that is not gated.</param>
    /// <param name="parameters">
    /// Every learnable parameter in one vector, in the order of the descriptor's <see cref="KernelDescriptor.ParameterNames"/>
    /// (a PolyCom's weights and bias first), of x's dtype and device.
    /// </param>
    /// <param name="offsets">
    /// For a spec with experts: the group boundaries of x's rows, int64 [Experts + 1] on x's device, non-decreasing from
    /// 0 to N, expert e's rows at <c>offsets[e]..offsets[e+1]</c> of x [N, H] (see <see cref="ExpertRows"/>);
    /// <paramref name="parameters"/> then holds every expert's vector, expert after expert. Null without experts.
    /// </param>
    /// <exception cref="ArgumentException">An input has the wrong dtype, device or shape, or the offsets are wrong.</exception>
    public static Tensor Apply(Tensor x, Tensor? gate, Tensor parameters, Tensor? offsets = null)
    {
        KernelDescriptor descriptor = TKernel.Descriptor;
        IKernelBackend backend = KernelBackends.For(descriptor, x);
        ExpertRows? experts = descriptor.Experts > 1 || offsets is not null ? ExpertRows.Of(descriptor, x, offsets) : null;
        backend.Validate(descriptor, x, gate, parameters, experts);
        pendingExperts = experts;
        bool recorded = is_grad_enabled() && (x.requires_grad || parameters.requires_grad || gate?.requires_grad == true);
        Tensor? probe = recorded ? InPlaceGuard.Probe(x, gate is null ? [x, parameters] : [x, gate, parameters]) : null;
        try
        {
            return apply(x, parameters, gate, probe);
        }
        finally
        {
            pendingExperts = null;
            NativeHandoff.ReleaseForwardOutputs();
            probe?.Dispose();
            GC.KeepAlive(x);
            GC.KeepAlive(gate);
            GC.KeepAlive(parameters);
        }
    }

    // The rows grouped by expert of the call in progress on this thread: Apply checks them, forward (which apply calls
    // on the same thread) saves them for backward.
    [ThreadStatic]
    private static ExpertRows? pendingExperts;

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, parameters, gate) = ((Tensor)vars[0], (Tensor)vars[1], vars[2] as Tensor);
        ExpertRows? experts = pendingExperts;
        ctx.save_for_backward(gate is null ? [x, parameters] : [x, parameters, gate]);
        ctx.save_data(nameof(SavedShapes), new SavedShapes(x.shape, parameters.shape, x.dtype, x.device, experts));
        // Temporaries (contiguous views, copies) die with the scope; the output is held until apply has wrapped it.
        using var scope = NewDisposeScope();
        Tensor y = KernelBackends.For(TKernel.Descriptor, x).Forward(TKernel.Descriptor, x, gate, parameters, experts);
        return NativeHandoff.HoldForwardOutput(y);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        NativeHandoff.ReleaseReturnedGradients();
        List<Tensor?> gradients;
        try
        {
            gradients = Gradients(ctx, grad_output);
        }
        catch (Exception e)
        {
            // Nothing may leave this callback: libtorch would abort the process.
            gradients = InvalidGradients(ctx, e);
        }
        finally
        {
            grad_output.Dispose(); // TorchSharp's wrapper of the engine's gradient, used by nothing else
        }
        NativeHandoff.HoldReturnedGradients(gradients);
        // Null (an undefined gradient) for the absent gate and for the in-place probe.
        var result = new List<Tensor>(gradients.Count + 1);
        foreach (Tensor? gradient in gradients)
        {
            result.Add(gradient!);
        }
        result.Add(null!);
        return result;
    }

    // In the order of apply's arguments: x, parameters, gate.
    private static List<Tensor?> Gradients(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var shapes = (SavedShapes)ctx.get_data(nameof(SavedShapes));
        List<Tensor> saved;
        try
        {
            saved = ctx.get_saved_variables();
        }
        catch (ExternalException e) when (e.Message.Contains("inplace", StringComparison.Ordinal))
        {
            // The in-place probe makes autograd raise libtorch's error once this returns; should that part of the
            // graph not run (autograd.grad of other inputs), NaN gradients are still not silently wrong.
            Console.Error.WriteLine($"PolyComGen: {TKernel.Descriptor.Name}: a tensor saved for backward was modified in place after the forward; its gradients are NaN.");
            using Scalar nan = double.NaN.ToScalar(); // a local, so that it outlives the native calls that read it
            return [Filled(shapes.X, nan, shapes), Filled(shapes.Parameters, nan, shapes), TKernel.Descriptor.Gated ? Filled(shapes.X, nan, shapes) : null];
        }
        using var scope = NewDisposeScope();
        var (x, parameters) = (saved[0], saved[1]);
        Tensor? gate = saved.Count > 2 ? saved[2] : null;
        if (is_grad_enabled())
        {
            // create_graph: the closed forms as differentiable ops of the saved tensors and the incoming gradient.
            var (edx, edparameters, edgate) = ExpertRows.EagerBackward(TKernel.Descriptor, shapes.Experts, x, gate, gradOutput.to(x.dtype), parameters, TKernel.EagerBackward);
            return [edx.DetachFromDisposeScope(), edparameters.DetachFromDisposeScope(), edgate?.DetachFromDisposeScope()];
        }
        var (dx, dparameters, dgate) = KernelBackends.For(TKernel.Descriptor, x).Backward(TKernel.Descriptor, x, gate, gradOutput.to(x.dtype), parameters, shapes.Experts);
        return [dx.DetachFromDisposeScope(), dparameters.DetachFromDisposeScope(), dgate?.DetachFromDisposeScope()];
    }

    private static Tensor Filled(long[] shape, Scalar value, SavedShapes shapes)
    {
        Tensor filled = empty(shape, dtype: shapes.Dtype, device: shapes.Device);
        filled.fill_(value);
        return filled;
    }

    // A gradient of a shape libtorch cannot accept makes autograd raise a catchable error from backward() once
    // this callback has returned, instead of the abort an exception would cause here.
    private static List<Tensor?> InvalidGradients(autograd.AutogradContext ctx, Exception failure)
    {
        Console.Error.WriteLine($"PolyComGen: the backward of {TKernel.Descriptor.Name} failed, so autograd will report an invalid gradient: {failure}");
        var shapes = (SavedShapes)ctx.get_data(nameof(SavedShapes));
        return [empty([0], dtype: shapes.Dtype, device: shapes.Device), empty(shapes.Parameters, dtype: shapes.Dtype, device: shapes.Device),
                TKernel.Descriptor.Gated ? empty([0], dtype: shapes.Dtype, device: shapes.Device) : null];
    }

    /// <summary>What the backward needs to know even when the saved tensors cannot be read.</summary>
    private sealed record SavedShapes(long[] X, long[] Parameters, ScalarType Dtype, Device Device, ExpertRows? Experts);
}
