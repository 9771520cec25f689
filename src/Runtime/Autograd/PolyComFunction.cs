using System;
using System.Collections.Generic;
using PolyComGen.Cuda;
using PolyComGen.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Autograd;

/// <summary>
/// The TorchSharp autograd function of one generated spec: forward and backward run
/// <typeparamref name="TKernel"/>'s fused kernels, and only x (and the weight parameter itself) is saved
/// for backward. Generated modules call <see cref="Apply"/>; it checks its inputs before any kernel runs.
/// </summary>
/// <typeparam name="TKernel">The kernels the generator emitted for the spec.</typeparam>
public sealed class PolyComFunction<TKernel> : autograd.SingleTensorFunction<PolyComFunction<TKernel>>
    where TKernel : IPolyComKernel
{
    /// <inheritdoc/>
    public override string Name => TKernel.Descriptor.Name;

    /// <summary>Computes the activation of <paramref name="x"/>, recording it for autograd when any input requires grad.</summary>
    /// <param name="x">Input of shape [..., H]: float32 or float64 on the CPU; float32, bfloat16 or float16 on a CUDA device.</param>
    /// <param name="weight">The weights, shape [Order], same dtype and device as <paramref name="x"/>.</param>
    /// <param name="bias">The bias, shape [1], same dtype and device as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">An input has the wrong dtype, device or shape.</exception>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor bias)
    {
        InputChecks.Validate(TKernel.Descriptor, x, weight, bias);
        return apply(x, weight, bias);
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        ctx.save_for_backward([x, weight]);
        // Temporaries (contiguous views, copies) die with the scope; only the output leaves it.
        using var scope = NewDisposeScope();
        Tensor y = x.device_type == DeviceType.CUDA
            ? CudaKernelRunner.Forward<TKernel>(x.contiguous(), weight.contiguous(), bias.contiguous())
            : CpuKernelRunner.Forward<TKernel>(x.contiguous(), weight, bias);
        return y.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        using var scope = NewDisposeScope();
        List<Tensor> saved = ctx.get_saved_variables();
        Tensor x = saved[0].contiguous();
        Tensor dy = grad_output.to_type(x.dtype).contiguous();
        var (dx, dweight, dbias) = x.device_type == DeviceType.CUDA
            ? CudaKernelRunner.Backward<TKernel>(x, dy, saved[1].contiguous())
            : CpuKernelRunner.Backward<TKernel>(x, dy, saved[1]);
        return [dx.MoveToOuterDisposeScope(), dweight.MoveToOuterDisposeScope(), dbias.MoveToOuterDisposeScope()];
    }
}
