// The contract between the generated kernels and the runtime, defined once and compiled into both: the generator
// (which defines POLYCOMGEN_GENERATOR, and keeps these types internal) writes the CUDA entry points and the
// kernel types from it; the runtime launches and checks them from it; a test holds the two sides together.
#if POLYCOMGEN_GENERATOR
namespace PolyComGen.Generator.Contract;
#else
namespace PolyComGen.Contract;
#endif

using System.Linq;

/// <summary>The fixed facts of every generated kernel: launch shape, spec limits, storage types, entry points, partials.</summary>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
static class KernelContract
{
    /// <summary>
    /// Threads per block of the elementwise kernels and of the reduction (each entry point declares its largest block with
    /// __launch_bounds__); rowwise kernels take <see cref="RowThreads"/>.
    /// </summary>
    public const int ThreadsPerBlock = 256;

    /// <summary>Resident blocks per multiprocessor a grid of elementwise kernels aims for (8 x 256 threads: a full multiprocessor).</summary>
    public const int BlocksPerMultiprocessor = 8;

    /// <summary>The threads a grid of rowwise kernels aims to keep resident on each multiprocessor.</summary>
    public const int ThreadsPerMultiprocessor = 2048;

    /// <summary>
    /// The 16-byte chunks of each input a thread of a rowwise kernel keeps on chip (in registers) from the first pass over
    /// its row to the last: with <see cref="MaxRowThreads"/> threads, rows of up to 64 KiB per input (16k float32, 32k
    /// bfloat16 or float16 elements) are read from global memory once; the rest of a longer row is read by every pass.
    /// </summary>
    public const int RowChunksPerThread = 4;

    /// <summary>
    /// The macro an entry point's <c>__launch_bounds__</c> names: PCG_ROW_BLOCK (<see cref="MaxRowThreads"/>) for the
    /// kernels of a rowwise spec that sweep rows, PCG_BLOCK (<see cref="ThreadsPerBlock"/>) for the others.
    /// </summary>
    public static string BlockBound(KernelRole role, bool rowwise) => rowwise && role != KernelRole.Reduce ? "PCG_ROW_BLOCK" : "PCG_BLOCK";

    /// <summary>The fewest threads of a rowwise kernel's block (one row per block).</summary>
    public const int MinRowThreads = 128;

    /// <summary>The most threads of a rowwise kernel's block, which its entry points declare with __launch_bounds__.</summary>
    public const int MaxRowThreads = 1024;

    /// <summary>
    /// The threads of a rowwise kernel's block (one row at a time) for rows of <paramref name="h"/> elements of
    /// <paramref name="elementSize"/> bytes: enough for each thread to hold <see cref="RowChunksPerThread"/> chunks of the
    /// row, in whole warps, between <see cref="MinRowThreads"/> and <see cref="MaxRowThreads"/>. A function of the shape
    /// and the dtype alone, so the block's reductions, and the gradients, are the same on every run and every device.
    /// </summary>
    public static int RowThreads(long h, int elementSize)
    {
        long chunks = (h * elementSize + ChunkBytes - 1) / ChunkBytes;
        long threads = (chunks + RowChunksPerThread - 1) / RowChunksPerThread;
        threads = (threads + 31) / 32 * 32;
        return (int)System.Math.Min(MaxRowThreads, System.Math.Max(MinRowThreads, threads));
    }

    /// <summary>The bytes a CUDA thread moves at once when its pointers are aligned (a uint4).</summary>
    public const int ChunkBytes = 16;

    /// <summary>The lowest supported order.</summary>
    public const int MinOrder = 1;

    /// <summary>The highest supported order.</summary>
    public const int MaxOrder = 8;

    /// <summary>The default epsilon of norm(): added to the mean square before the inverse square root.</summary>
    public const double DefaultEps = 1e-6;

    /// <summary>The attribute's default order (PolyNorm's).</summary>
    public const int DefaultOrder = 3;

    /// <summary>The attribute's default type: 2, sum w_k rho(x^k) + b (PolyNorm's).</summary>
    public const int DefaultType = 2;

    /// <summary>The attribute's default inner function (PolyNorm's).</summary>
    public const string DefaultInner = "Norm";

    /// <summary>The largest finite float32, the kernels' arithmetic: constants and Eps must lie within it.</summary>
    public const double Float32Max = 3.4028234663852886e38;

    /// <summary>
    /// The largest norm statistic (a row's sum of squares) the kernels use unscaled: 2^64. Above it, or when it is not
    /// finite, the statistics pass runs again on the row scaled by a power of two (docs/math.md section 4): below it
    /// no statistic overflows and s^3 = (q/H + eps)^(-3/2) stays far above float32's smallest normal number.
    /// </summary>
    public const double NormStatisticLimit = 18446744073709551616.0;

    /// <summary>Elements per segment of the CPU kernels of elementwise specs (a multiple of every SIMD width).</summary>
    public const int ElementwiseSegmentLength = 16384;

    /// <summary>The storage dtypes of the CUDA kernels; arithmetic is float32 for all of them.</summary>
    public static readonly StorageType[] StorageTypes =
    {
        new StorageType("f32", 4, "float", "Float32"),
        new StorageType("bf16", 2, "pcg_bf16", "BFloat16"),
        new StorageType("f16", 2, "pcg_f16", "Float16"),
    };

    /// <summary>The storage type whose TorchSharp ScalarType is named <paramref name="torchName"/>; null when the CUDA kernels have none.</summary>
    public static StorageType? StorageOf(string torchName) => StorageTypes.FirstOrDefault(s => s.TorchName == torchName);

    /// <summary>The dtypes of the CPU kernels (TorchSharp ScalarType names): float32, and float64 for reference work.</summary>
    public static readonly string[] CpuTypes = { "Float32", "Float64" };

    /// <summary>A list of dtype names for messages: "Float32, BFloat16 and Float16".</summary>
    public static string Listed(System.Collections.Generic.IEnumerable<string> names)
    {
        string[] all = names.ToArray();
        return all.Length <= 1 ? string.Concat(all) : string.Join(", ", all.Take(all.Length - 1)) + " and " + all[all.Length - 1];
    }

    /// <summary>
    /// The parameter slots of a PolyCom spec with <paramref name="learned"/> parameters of its own: the weights
    /// w[0..Order-1], the bias, then the learned ones; an <c>[Activation]</c> has only its learned parameters. Every
    /// kernel takes them as one vector of <c>Groups</c> x slots values, group after group, and its gradient partials
    /// have one column per value.
    /// </summary>
    public static int Slots(bool polynomial, int order, int learned) => (polynomial ? order + 1 : 0) + learned;

    /// <summary>The most learnable parameters a declaration may have of its own (besides a PolyCom's weights and bias).</summary>
    public const int MaxLearned = 16;

    /// <summary>The most groups a declaration may split its rows into.</summary>
    public const int MaxGroups = 64;

    /// <summary>
    /// The most experts a declaration may have: each expert has its own parameter vector (Groups x slots values), and
    /// the kernels run over rows grouped by expert, each row with its expert's vector.
    /// </summary>
    public const int MaxExperts = 4096;

    /// <summary>The name of an entry point, e.g. polycom_backward_bf16 or polycom_forward_statistics_f32.</summary>
    public static string EntryPoint(KernelRole role, StorageType storage) => "polycom_" + RoleName(role) + "_" + storage.Suffix;

    /// <summary>A role as entry points and the PyTorch module name it: forward, backward, reduce, forward_statistics ...</summary>
    public static string RoleName(KernelRole role) => role switch
    {
        KernelRole.Forward => "forward",
        KernelRole.Backward => "backward",
        KernelRole.Reduce => "reduce",
        KernelRole.ForwardStatistics => "forward_statistics",
        KernelRole.ForwardApply => "forward_apply",
        KernelRole.BackwardStatistics => "backward_statistics",
        KernelRole.BackwardApply => "backward_apply",
        _ => throw new System.ArgumentOutOfRangeException(nameof(role), role, "not a kernel role"),
    };

    /// <summary>The one-shot kernels every translation unit defines.</summary>
    public static readonly KernelRole[] OneShotRoles = { KernelRole.Forward, KernelRole.Backward, KernelRole.Reduce };

    /// <summary>
    /// The split kernels of tensor parallelism (docs/math.md section 5b), defined besides the one-shot ones
    /// by the translation units of the specs that <see cref="HasSplitKernels"/>: statistics stages that stop after a
    /// row's statistics, and apply kernels that take the statistics (all-reduced over the ranks a row is sharded over).
    /// </summary>
    public static readonly KernelRole[] SplitRoles = { KernelRole.ForwardStatistics, KernelRole.ForwardApply, KernelRole.BackwardStatistics, KernelRole.BackwardApply };

    /// <summary>
    /// Whether a spec's translation unit has the split kernels: rowwise (norm) specs without groups of columns, the
    /// ones whose activation of a row depends on the whole row. Elementwise specs need none: a shard of a row is
    /// computed as the row.
    /// </summary>
    public static bool HasSplitKernels(bool rowwise, int groups) => rowwise && groups == 1;

    /// <summary>
    /// The grid of a launch of kernels with experts: the blocks a launch without experts would take for the most rows
    /// any expert has (<paramref name="blocksForBusiest"/>), once per expert: <c>gridDim.y</c> is the expert. One launch
    /// per direction however many experts; a row of the grid whose expert has fewer rows has blocks with less or nothing
    /// to do (their partials are zero).
    /// </summary>
    public static (uint X, uint Y) ExpertGrid(uint blocksForBusiest, int experts) => (blocksForBusiest, (uint)experts);

    /// <summary>The parameters of an entry point, in order. Gated specs take the gate, and give its gradient.</summary>
    /// <remarks>
    /// The backward writes one row of float32 partials per block (of group 0, for elementwise specs of several groups), one
    /// column per parameter value (Groups x slots); the last of its blocks to finish (counted in <c>counter</c>, a zeroed
    /// 32-bit word the last block zeroes again) sums each column in row order into <c>dparameters</c>: one launch, no float
    /// atomics. The split backward leaves its partials to the reduction (one block per column, in row order), as they are
    /// all-reduced over the ranks first. The split kernels run a block per row as the one-shot ones do, and read and write a float32
    /// statistics row per row of x: stage <c>stage</c> of the statistics kernels writes its columns (rerun, when
    /// <c>rescaled</c> is not 0, with the scales its all-reduced first run calls for), the apply kernels read all of
    /// them; <c>length</c> is the whole row's length (h times the ranks it is sharded over).
    /// <para>
    /// With <paramref name="experts"/>, the forward and the backward also take <c>offsets</c> (int64, E + 1 on the
    /// device: expert e's rows are offsets[e] to offsets[e + 1] of the <c>rows</c> rows, see <see cref="ExpertGrid"/>)
    /// and run over a grid of E rows of blocks: row e of the grid takes expert e's rows with its parameter vector (at
    /// e x Groups x slots), as the kernels without experts take all rows, and writes its partials after the rows of
    /// the grid rows before it; the last block to finish sums each expert's partials into its gradient vector.
    /// </para>
    /// </remarks>
    public static KernelParameter[] Parameters(KernelRole role, bool gated, bool experts = false)
    {
        if (experts && role is KernelRole.Forward or KernelRole.Backward)
        {
            return Parameters(role, gated).Concat(new[] { P("offsets", ParameterKind.Offsets) }).ToArray();
        }
        KernelParameter x = P("x", ParameterKind.Input), gate = P("gate", ParameterKind.Gate), dy = P("dy", ParameterKind.Upstream),
            parameters = P("parameters", ParameterKind.Parameters), rows = P("rows", ParameterKind.Rows), h = P("h", ParameterKind.Width),
            length = P("length", ParameterKind.RowLength), stage = P("stage", ParameterKind.Stage), rescaled = P("rescaled", ParameterKind.Rescaled);
        KernelParameter[] Inputs(params KernelParameter[] after) => (gated ? new[] { x, gate } : new[] { x }).Concat(after).ToArray();
        KernelParameter[] Gradients(KernelParameter[] after) => (gated ? new[] { P("dx", ParameterKind.InputGradient), P("dgate", ParameterKind.GateGradient) } : new[] { P("dx", ParameterKind.InputGradient) }).Concat(after).ToArray();
        return role switch
        {
            KernelRole.Forward => Inputs(P("y", ParameterKind.Output), parameters, rows, h),
            KernelRole.Backward => Inputs(new[] { dy }.Concat(Gradients(new[] { parameters, P("partials", ParameterKind.PartialsOut), P("dparameters", ParameterKind.ParameterGradient), P("counter", ParameterKind.Counter), rows, h })).ToArray()),
            KernelRole.ForwardStatistics => Inputs(parameters, P("statistics", ParameterKind.StatisticsOut), stage, rescaled, rows, h, length),
            KernelRole.ForwardApply => Inputs(P("y", ParameterKind.Output), parameters, P("statistics", ParameterKind.StatisticsIn), rows, h, length),
            KernelRole.BackwardStatistics => Inputs(dy, parameters, P("statistics", ParameterKind.StatisticsOut), stage, rescaled, rows, h, length),
            KernelRole.BackwardApply => Inputs(new[] { dy }.Concat(Gradients(new[] { parameters, P("statistics", ParameterKind.StatisticsIn), P("partials", ParameterKind.PartialsOut), rows, h, length })).ToArray()),
            KernelRole.Reduce => new[] { P("partials", ParameterKind.PartialsIn), P("count", ParameterKind.PartialRows), P("dparameters", ParameterKind.ParameterGradient) },
            _ => throw new System.ArgumentOutOfRangeException(nameof(role), role, "not a kernel role"),
        };
    }

    /// <summary>
    /// Every entry point a translation unit defines: forward, backward and reduce for each storage type, and with
    /// <paramref name="split"/> (<see cref="HasSplitKernels"/>) the split kernels for each storage type.
    /// </summary>
    public static string[] EntryPoints(bool split = false) =>
        StorageTypes.SelectMany(storage => (split ? OneShotRoles.Concat(SplitRoles) : OneShotRoles).Select(role => EntryPoint(role, storage))).ToArray();

    private static KernelParameter P(string name, ParameterKind kind) => new KernelParameter(name, kind);
}

/// <summary>The kernels of a spec: the one-shot forward, backward and reduction, and the split kernels of tensor parallelism.</summary>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
enum KernelRole
{
    /// <summary>y from x (and the gate).</summary>
    Forward,

    /// <summary>dx (and dgate) and the gradient partials, from x and dy.</summary>
    Backward,

    /// <summary>The gradient of the parameters from the partials.</summary>
    Reduce,

    /// <summary>A stage of the forward's row statistics, into the statistics rows (split kernels).</summary>
    ForwardStatistics,

    /// <summary>y from x (and the gate) and given row statistics (split kernels).</summary>
    ForwardApply,

    /// <summary>A stage of the backward's row statistics, into the statistics rows (split kernels).</summary>
    BackwardStatistics,

    /// <summary>dx (and dgate) and the gradient partials from x, dy and given row statistics (split kernels).</summary>
    BackwardApply,
}

/// <summary>What a kernel parameter is, which fixes its C type and what the runtime passes.</summary>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
enum ParameterKind
{
    /// <summary>x, read (storage type).</summary>
    Input,

    /// <summary>The gate of a gated spec, read (storage type).</summary>
    Gate,

    /// <summary>dy, the incoming gradient, read (storage type).</summary>
    Upstream,

    /// <summary>y, written (storage type).</summary>
    Output,

    /// <summary>dx, written (storage type).</summary>
    InputGradient,

    /// <summary>dgate, written (storage type).</summary>
    GateGradient,

    /// <summary>The learnable parameters, [Groups x slots], read (storage type).</summary>
    Parameters,

    /// <summary>The gradient partials, written by the backward (float32).</summary>
    PartialsOut,

    /// <summary>The gradient partials, read by the reduction (float32).</summary>
    PartialsIn,

    /// <summary>The number of rows (unsigned 64-bit).</summary>
    Rows,

    /// <summary>The row length h (32-bit int).</summary>
    Width,

    /// <summary>Rows of partials (unsigned 64-bit).</summary>
    PartialRows,

    /// <summary>The gradient of the parameters, [Groups x slots], written (storage type).</summary>
    ParameterGradient,

    /// <summary>The statistics rows, [rows x columns], a stage's columns written (float32).</summary>
    StatisticsOut,

    /// <summary>The statistics rows, [rows x columns], read (float32).</summary>
    StatisticsIn,

    /// <summary>The statistics stage to run (32-bit int, from 0).</summary>
    Stage,

    /// <summary>Not 0 to rerun a stage with the scales its all-reduced first run calls for (32-bit int).</summary>
    Rescaled,

    /// <summary>The whole row's length, h times the ranks a row is sharded over (32-bit int).</summary>
    RowLength,

    /// <summary>
    /// The rows of each expert: E + 1 int64 offsets on the device (kernels with experts, <see cref="KernelContract.ExpertGrid"/>).
    /// </summary>
    Offsets,

    /// <summary>
    /// The blocks of a backward that have written their partials (an unsigned 32-bit word on the device, 0 before the launch,
    /// which the last block sets back to 0).
    /// </summary>
    Counter,
}

/// <summary>One parameter of an entry point.</summary>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
readonly record struct KernelParameter(string Name, ParameterKind Kind)
{
    /// <summary>Its CUDA C type for kernels over <paramref name="storage"/>.</summary>
    public string CudaType(StorageType storage) => Kind switch
    {
        ParameterKind.Input or ParameterKind.Gate or ParameterKind.Upstream or ParameterKind.Parameters => "const " + storage.CudaType + "*",
        ParameterKind.Output or ParameterKind.InputGradient or ParameterKind.GateGradient or ParameterKind.ParameterGradient => storage.CudaType + "*",
        ParameterKind.PartialsOut or ParameterKind.StatisticsOut => "float*",
        ParameterKind.PartialsIn or ParameterKind.StatisticsIn => "const float*",
        ParameterKind.Counter => "unsigned int*",
        ParameterKind.Offsets => "const long long*",
        ParameterKind.Width or ParameterKind.Stage or ParameterKind.Rescaled or ParameterKind.RowLength => "int",
        ParameterKind.Rows or ParameterKind.PartialRows => "pcg_size",
        _ => throw new System.ArgumentOutOfRangeException(nameof(Kind), Kind, "not a parameter kind"),
    };

    /// <summary>
    /// How a launcher passes it, as Triton's launcher types a signature: <c>ptr</c> (a device address, 0 for a missing
    /// tensor), <c>i32</c> (a 32-bit int) or <c>u64</c> (an unsigned 64-bit count); the PyTorch module's launch reads it
    /// instead of guessing from the name.
    /// </summary>
    public string LaunchType => Kind switch
    {
        ParameterKind.Input or ParameterKind.Gate or ParameterKind.Upstream or ParameterKind.Parameters or ParameterKind.Output
            or ParameterKind.InputGradient or ParameterKind.GateGradient or ParameterKind.ParameterGradient or ParameterKind.PartialsOut
            or ParameterKind.StatisticsOut or ParameterKind.PartialsIn or ParameterKind.StatisticsIn or ParameterKind.Counter or ParameterKind.Offsets => "ptr",
        ParameterKind.Width or ParameterKind.Stage or ParameterKind.Rescaled or ParameterKind.RowLength => "i32",
        ParameterKind.Rows or ParameterKind.PartialRows => "u64",
        _ => throw new System.ArgumentOutOfRangeException(nameof(Kind), Kind, "not a parameter kind"),
    };
}

/// <summary>A storage dtype of the CUDA kernels.</summary>
/// <param name="Suffix">The entry-point suffix, e.g. bf16.</param>
/// <param name="Size">Bytes per element.</param>
/// <param name="CudaType">The C type the kernels use for it.</param>
/// <param name="TorchName">The TorchSharp ScalarType's name.</param>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
sealed record StorageType(string Suffix, int Size, string CudaType, string TorchName);

/// <summary>How a spec is written as text: the attribute that declares it, and its formula.</summary>
#if POLYCOMGEN_GENERATOR
internal
#else
public
#endif
static class SpecText
{
    /// <summary>
    /// The attribute, e.g. <c>[PolyCom(Order = 3, Inner = "Norm", Type = 2)]</c>, or for an activation without a
    /// polynomial (<paramref name="activation"/>) <c>[Activation("x * sigmoid(beta * x)", Parameters = "beta = 1")]</c>;
    /// Eps and the optional arguments only when not their defaults.
    /// </summary>
    public static string Attribute(int type, string inner, int order, double eps, bool gated,
        string parameters = "", int groups = 1, string shared = "", string fit = "", bool activation = false, int experts = 1)
    {
        string head = activation
            ? "[Activation(" + Quoted(inner)
            : "[PolyCom(Order = " + order.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + ", Inner = " + Quoted(inner)
                + ", Type = " + type.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return head
            + (eps != KernelContract.DefaultEps ? ", Eps = " + eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "")
            + (gated ? ", Gated = true" : "")
            + (parameters.Length > 0 ? ", Parameters = " + Quoted(parameters) : "")
            + (groups != 1 ? ", Groups = " + groups.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")
            + (shared.Length > 0 ? ", Shared = " + Quoted(shared) : "")
            + (fit.Length > 0 ? ", Fit = " + Quoted(fit) : "")
            + (experts != 1 ? ", Experts = " + experts.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")
            + ")]";
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>The file name of an activation's Python module for PyTorch: the class name in lower case (polynorm.py).</summary>
    public static string TorchFileName(string className) => className.ToLowerInvariant() + ".py";

    /// <summary>
    /// The line of a generated PyTorch module template that the runtime replaces with the CUDA translation unit as a
    /// Python string (the unit is on the module already: the template does not carry it twice).
    /// </summary>
    public const string TorchCudaSourceLine = "CUDA_SOURCE = {{CUDA_SOURCE}}";

    /// <summary>The line of a generated PyTorch module template that the runtime replaces with the fixed prelude.</summary>
    public const string TorchPreludeLine = "{{PRELUDE}}";

    /// <summary>A Python string literal of <paramref name="text"/>: a raw triple-quoted one for several lines where it can be.</summary>
    public static string PythonString(string text)
    {
        bool rawFits = text.IndexOf("\"\"\"", System.StringComparison.Ordinal) < 0 && !text.EndsWith("\"", System.StringComparison.Ordinal) && !text.EndsWith("\\", System.StringComparison.Ordinal);
        if (text.IndexOf('\n') >= 0 && rawFits)
        {
            return "r\"\"\"" + text + "\"\"\"";
        }
        var escaped = new System.Text.StringBuilder("\"");
        foreach (char c in text)
        {
            escaped.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => c.ToString() });
        }
        return escaped.Append('"').ToString();
    }

    /// <summary>
    /// The formula, e.g. <c>y = sum_{i=1..3} w[i-1] * rho(x^i) + b, rho = Norm</c>, or for an activation without a
    /// polynomial <c>y = x * sigmoid(beta * x)</c>.
    /// </summary>
    public static string Formula(int type, string inner, int order, bool gated, bool activation = false)
    {
        if (activation)
        {
            return "y = " + inner;
        }
        string o = order.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string sum = type == 1 ? "sum_{i=1.." + o + "} w[i-1] * rho(x)^i + b" : "sum_{i=1.." + o + "} w[i-1] * rho(x^i) + b";
        return "y = " + (gated ? "(" + sum + ") * gate" : sum) + ", rho = " + inner;
    }
}
