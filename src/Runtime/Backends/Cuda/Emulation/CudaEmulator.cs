using System;
using PolyComGen.Autograd;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// Runs a declared activation's CUDA kernels without a GPU, on CPU tensors of float32, bfloat16 or float16:
/// the generated translation unit, unchanged, compiled by the host C++ compiler (g++ or clang++, or
/// <c>$POLYCOMGEN_CXX</c>) and launched through the same launch path as on a GPU. Threads of a block run as
/// fibers, so barriers, shared memory and warp shuffles behave as on the hardware; results agree with a GPU up
/// to the GPU's own rounding of transcendental functions and its fused multiply-adds.
/// </summary>
/// <remarks>
/// The emulation shows wrong indices, missing barriers, races (as differences between schedules), bad tails
/// and partials; it cannot show speed or occupancy. Compiled libraries are cached like NVRTC's images.
/// </remarks>
public static class CudaEmulator
{
    /// <summary>Whether the emulated device can run here: a host C++ compiler was found (Linux).</summary>
    public static bool IsAvailable(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "the emulated CUDA device runs on Linux only";
            return false;
        }
        return HostCompiler.TryFind(out reason) is not null;
    }

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
        return Forward(activation.Descriptor, x, gate, activation.Weight, activation.Bias, options);
    }

    /// <summary>All gradients of <paramref name="activation"/>'s CUDA kernels, for the upstream gradient <paramref name="dy"/>.</summary>
    /// <inheritdoc cref="Forward(IPolyComModule, Tensor, Tensor?, CudaEmulationOptions?)"/>
    public static PolyComGradients Backward(IPolyComModule activation, Tensor x, Tensor dy, Tensor? gate = null, CudaEmulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return Backward(activation.Descriptor, x, gate, dy, activation.Weight, activation.Bias, options);
    }

    /// <summary>The forward of the kernels <paramref name="kernels"/> with explicit parameters.</summary>
    /// <inheritdoc cref="Forward(IPolyComModule, Tensor, Tensor?, CudaEmulationOptions?)"/>
    public static Tensor Forward(KernelDescriptor kernels, Tensor x, Tensor? gate, Tensor weight, Tensor bias, CudaEmulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        InputChecks.ValidateEmulated(kernels, x, gate, weight, bias, dy: null);
        RequireAvailable();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor y = CudaLaunch.Forward(new EmulatedDevice(options ?? new CudaEmulationOptions()), kernels, x.contiguous(), gate?.contiguous(), weight.contiguous(), bias.contiguous());
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>All gradients of the kernels <paramref name="kernels"/> with explicit parameters.</summary>
    /// <inheritdoc cref="Forward(IPolyComModule, Tensor, Tensor?, CudaEmulationOptions?)"/>
    public static PolyComGradients Backward(KernelDescriptor kernels, Tensor x, Tensor? gate, Tensor dy, Tensor weight, Tensor bias, CudaEmulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(dy);
        InputChecks.ValidateEmulated(kernels, x, gate, weight, bias, dy);
        RequireAvailable();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (dx, dweight, dbias, dgate) = CudaLaunch.Backward(new EmulatedDevice(options ?? new CudaEmulationOptions()), kernels,
            x.contiguous(), gate?.contiguous(), dy.contiguous(), weight.contiguous(), bias.contiguous());
        return new PolyComGradients(dx.MoveToOuterDisposeScope(), dweight.MoveToOuterDisposeScope(), dbias.MoveToOuterDisposeScope(), dgate?.MoveToOuterDisposeScope());
    }

    private static void RequireAvailable()
    {
        if (!IsAvailable(out string reason))
        {
            throw new HostCompilerNotFoundException(reason);
        }
    }
}

/// <summary>The order in which the emulated device runs the threads of a block between synchronisation points.</summary>
public enum EmulationSchedule
{
    /// <summary>Sweeps over the threads in index order, each to its next barrier or shuffle.</summary>
    ThreadOrder = 0,

    /// <summary>Sweeps in a random order, drawn anew for every sweep from <see cref="CudaEmulationOptions.Seed"/>.</summary>
    Random = 1,

    /// <summary>One warp at a time: warp 0 runs until all its threads wait at a barrier, then warp 1, and so on.</summary>
    WarpByWarp = 2,
}

/// <summary>How the emulated device runs a launch.</summary>
/// <param name="Schedule">The thread order between synchronisation points.</param>
/// <param name="Seed">The seed of <see cref="EmulationSchedule.Random"/>.</param>
/// <param name="Multiprocessors">The multiprocessors the launch geometry is sized for: few, so grids stride.</param>
public sealed record CudaEmulationOptions(EmulationSchedule Schedule = EmulationSchedule.ThreadOrder, ulong Seed = 0, int Multiprocessors = 2)
{
    /// <summary>The multiprocessors the launch geometry is sized for (at least 1).</summary>
    public int Multiprocessors { get; init; } = Multiprocessors > 0 ? Multiprocessors : throw new ArgumentOutOfRangeException(nameof(Multiprocessors), Multiprocessors, "At least one multiprocessor.");
}

/// <summary>The gradients of one backward: of the input, the weights, the bias, and the gate (null unless gated).</summary>
public sealed record PolyComGradients(Tensor Dx, Tensor Dweight, Tensor Dbias, Tensor? Dgate = null);

/// <summary>The emulated CUDA device could not compile a translation unit, or a launch failed.</summary>
public sealed class CudaEmulationException(string message) : Exception(message);

/// <summary>The emulated CUDA device was asked for, but no host C++ compiler was found; the message says where it looked.</summary>
public sealed class HostCompilerNotFoundException(string reason) : NotSupportedException(reason);
