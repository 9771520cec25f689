using System;

namespace PolyComGen.Contract;

/// <summary>
/// The kernel contract's facts about one generated kernel type, emitted by the generator as data on it (one
/// instance per type, compared by reference): its name, its spec, how its kernels split a tensor, whether they take
/// a gate, its CUDA translation unit and its CPU kernels. The runtime reads these instead of working them out from the spec.
/// </summary>
public sealed class KernelDescriptor
{
    /// <summary>Creates the descriptor of a generated kernel type.</summary>
    /// <param name="name">The declaring class's name, for messages.</param>
    /// <param name="spec">The spec the kernels compute.</param>
    /// <param name="rowwise">True when the kernels reduce over each row of the last dimension (norm); false when elementwise.</param>
    /// <param name="gated">True when the kernels take a gate and give its gradient.</param>
    /// <param name="cudaSource">The CUDA translation unit.</param>
    /// <param name="cpu">The CPU kernels on spans.</param>
    /// <param name="parameterNames">The name of each slot of a group's parameters, in order.</param>
    /// <param name="groups">The groups the last dimension splits into; the parameter vector holds every slot of each.</param>
    /// <param name="experts">The experts, each with its own parameter vector, over rows grouped by expert.</param>
    /// <param name="forwardOperations">The operations the forward kernel does per element (<see cref="ForwardOperations"/>).</param>
    /// <param name="backwardOperations">The operations the backward kernel does per element.</param>
    public KernelDescriptor(string name, PolyComSpec spec, bool rowwise, bool gated, string cudaSource, ICpuKernels cpu, string[] parameterNames, int groups = 1, int experts = 1,
        int forwardOperations = 0, int backwardOperations = 0)
    {
        ForwardOperations = forwardOperations >= 0 ? forwardOperations : throw new ArgumentOutOfRangeException(nameof(forwardOperations), forwardOperations, "Not negative.");
        BackwardOperations = backwardOperations >= 0 ? backwardOperations : throw new ArgumentOutOfRangeException(nameof(backwardOperations), backwardOperations, "Not negative.");
        Experts = experts >= 1 ? experts : throw new ArgumentOutOfRangeException(nameof(experts), experts, "At least one expert.");
        Groups = groups >= 1 ? groups : throw new ArgumentOutOfRangeException(nameof(groups), groups, "At least one group.");
        ParameterNames = parameterNames ?? throw new ArgumentNullException(nameof(parameterNames));
        Cpu = cpu ?? throw new ArgumentNullException(nameof(cpu));
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        Rowwise = rowwise;
        Gated = gated;
        CudaSource = cudaSource ?? throw new ArgumentNullException(nameof(cudaSource));
    }

    /// <summary>The declaring class's name.</summary>
    public string Name { get; }

    /// <summary>The spec the kernels compute.</summary>
    public PolyComSpec Spec { get; }

    /// <summary>The number of weights (0 for an <c>[Activation]</c>, which has none).</summary>
    public int Order => Spec.Activation ? 0 : Spec.Order;

    /// <summary>
    /// The slots of one group's parameters, in order: a PolyCom's <c>weight[0]</c> ... <c>weight[Order-1]</c> and
    /// <c>bias</c>, then the parameters its declaration names. The parameter vector the kernels take holds them group
    /// after group (a shared parameter repeated in every group), and the gradient partials have one column per entry.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// The groups the last dimension splits into (contiguous, of equal length), each with its own parameters; 1 when
    /// the declaration has no <c>Groups</c>.
    /// </summary>
    public int Groups { get; }

    /// <summary>
    /// The length of one expert's parameter vector, what one kernel call takes: <see cref="Groups"/> times the slots of
    /// <see cref="ParameterNames"/>.
    /// </summary>
    public int ParameterCount => Groups * ParameterNames.Count;

    /// <summary>
    /// The experts (1 when the declaration has no <c>Experts</c>): each has its own parameter vector, and the kernels run
    /// over rows grouped by expert (<see cref="Backends.ExpertRows"/>), each row with its expert's vector.
    /// </summary>
    public int Experts { get; }

    /// <summary>The length of the module's parameter vector: every expert's, expert after expert.</summary>
    public int ExpertParameterCount => Experts * ParameterCount;

    /// <summary>
    /// The arithmetic operations the forward kernel does per element, counted by the generator from its plan: each
    /// operation of the expression language as one (add, mul, exp, erf, sigmoid alike), a whole-number power as its
    /// multiplications, a reduction as one add, a shared subexpression once; per-row work not counted. For compute
    /// accounting (FLOPs), not for timing.
    /// </summary>
    public int ForwardOperations { get; }

    /// <summary>The arithmetic operations the backward kernel does per element, counted as <see cref="ForwardOperations"/>.</summary>
    public int BackwardOperations { get; }

    /// <summary>True when the kernels reduce over each row of the last dimension (norm); false when elementwise.</summary>
    public bool Rowwise { get; }

    /// <summary>True when the kernels take a gate, y = PolyCom(x) * gate, and give its gradient.</summary>
    public bool Gated { get; }

    /// <summary>The CPU kernels on spans, for one segment at a time.</summary>
    public ICpuKernels Cpu { get; }

    /// <summary>The complete CUDA translation unit, for NVRTC or the emulated device.</summary>
    public string CudaSource { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Spec} ({Name})";
}
