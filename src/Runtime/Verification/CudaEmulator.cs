using System;
using PolyComGen.Backends;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Verification;

/// <summary>
/// Runs a declared activation's CUDA kernels without a GPU, on CPU tensors of float32, bfloat16 or float16, through
/// the <see cref="EmulatedCudaBackend"/>: the generated translation unit, unchanged, compiled by the host C++ compiler
/// and launched through the same launch path as on a GPU. Results agree with a GPU up to the GPU's own rounding of
/// transcendental functions and its fused multiply-adds.
/// </summary>
/// <remarks>
/// The emulation shows wrong indices, missing barriers, races (as differences between schedules), bad tails
/// and partials; it cannot show speed or occupancy. Compiled libraries are cached like NVRTC's images.
/// </remarks>
public static class CudaEmulator
{
    /// <summary>Whether the emulated device can run here: a host C++ compiler was found (Linux).</summary>
    public static bool IsAvailable(out string reason) => EmulatedCudaBackend.IsAvailable(out reason);

    /// <summary>The forward of <paramref name="activation"/>'s CUDA kernels for <paramref name="x"/> of shape [..., H].</summary>
    /// <param name="activation">A generated module whose parameters have x's dtype (e.g. after <c>module.to(bfloat16)</c>).</param>
    /// <param name="x">A CPU tensor of float32, bfloat16 or float16.</param>
    /// <param name="gate">The gate, of x's shape and dtype, for a gated activation; null otherwise.</param>
    /// <param name="options">The schedule and the emulated device's size; defaults when null.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, device or shape.</exception>
    /// <exception cref="HostCompilerNotFoundException">No host C++ compiler was found.</exception>
    /// <exception cref="CudaEmulationException">The kernels did not compile, or a launch failed (a deadlock, for example).</exception>
    public static Tensor Forward(IPolyComModule activation, Tensor x, Tensor? gate = null, CudaEmulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return Forward(activation.Descriptor, x, gate, activation.KernelParameters(), options);
    }

    /// <summary>All gradients of <paramref name="activation"/>'s CUDA kernels, for the upstream gradient <paramref name="dy"/>.</summary>
    /// <inheritdoc cref="Forward(IPolyComModule, Tensor, Tensor?, CudaEmulationOptions?)"/>
    public static PolyComGradients Backward(IPolyComModule activation, Tensor x, Tensor dy, Tensor? gate = null, CudaEmulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return Backward(activation.Descriptor, x, gate, dy, activation.KernelParameters(), options);
    }

    /// <summary>The forward of the kernels <paramref name="descriptor"/> with explicit parameters.</summary>
    /// <param name="descriptor">The kernels (a generated module's <see cref="IPolyComModule.Descriptor"/>).</param>
    /// <param name="x">A CPU tensor of float32, bfloat16 or float16, of shape [..., H] ([N, H] with experts).</param>
    /// <param name="gate">The gate, of x's shape and dtype, for a gated activation; null otherwise.</param>
    /// <param name="parameters">The parameter vector, of x's dtype (every expert's, expert after expert, with experts).</param>
    /// <param name="options">The schedule and the emulated device's size; defaults when null.</param>
    /// <param name="offsets">For kernels with experts: the offsets of x's rows grouped by expert (see <see cref="ExpertRows"/>); null otherwise.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong dtype, device or shape, or the offsets are wrong.</exception>
    /// <exception cref="HostCompilerNotFoundException">No host C++ compiler was found.</exception>
    /// <exception cref="CudaEmulationException">The kernels did not compile, or a launch failed (a deadlock, for example).</exception>
    public static Tensor Forward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, CudaEmulationOptions? options = null, Tensor? offsets = null)
    {
        var backend = new EmulatedCudaBackend(options);
        ExpertRows? experts = ExpertsOf(descriptor, x, offsets);
        backend.Validate(descriptor, x, gate, parameters, experts);
        using var scope = NewDisposeScope();
        return backend.Forward(descriptor, x, gate, parameters, experts).MoveToOuterDisposeScope();
    }

    private static ExpertRows? ExpertsOf(KernelDescriptor descriptor, Tensor x, Tensor? offsets) =>
        descriptor.Experts > 1 || offsets is not null ? ExpertRows.Of(descriptor, x, offsets) : null;

    /// <summary>All gradients of the kernels <paramref name="descriptor"/> with explicit parameters.</summary>
    /// <inheritdoc cref="Forward(KernelDescriptor, Tensor, Tensor?, Tensor, CudaEmulationOptions?, Tensor?)"/>
    public static PolyComGradients Backward(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor dy, Tensor parameters, CudaEmulationOptions? options = null, Tensor? offsets = null)
    {
        var backend = new EmulatedCudaBackend(options);
        ExpertRows? experts = ExpertsOf(descriptor, x, offsets);
        backend.Validate(descriptor, x, gate, parameters, experts);
        InputChecks.CheckUpstream(descriptor, dy, x);
        using var scope = NewDisposeScope();
        PolyComGradients g = backend.Backward(descriptor, x, gate, dy, parameters, experts);
        return new PolyComGradients(g.Dx.MoveToOuterDisposeScope(), g.Dparameters.MoveToOuterDisposeScope(), g.Dgate?.MoveToOuterDisposeScope());
    }
}
