using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.Cuda;

/// <summary>
/// Emits a spec's CUDA translation unit: the fixed prelude (pcg_prelude.cuh), the forward and backward device
/// functions lowered from the plans, the reduction (pcg_reduce.cuh), and the entry points the kernel contract
/// names, for float32, bfloat16 and float16 storage, all computing in float32. Self-contained: NVRTC may come
/// without toolkit headers.
/// </summary>
/// <remarks>
/// Rowwise kernels take a row per block (striding over rows) and sweep the row once per pass, in 16-byte chunks kept
/// on chip from the first pass to the last, with a block reduction after each pass; elementwise kernels run one
/// grid-stride pass. Every backward leaves one row of partials per block, which the one-shot backward's last block
/// reduces.
/// </remarks>
internal static class CudaKernelEmitter
{
    private static readonly string Prelude = Resource("pcg_prelude.cuh");
    private static readonly string Reduce = Resource("pcg_reduce.cuh");

    public static string Emit(LoweredSpec lowered, string className)
    {
        SpecModel spec = lowered.Spec;
        KernelPlan forward = lowered.Forward, backward = lowered.Backward;
        var writer = new IndentedTextWriter();
        writer.WriteLine($"// PolyComGen CUDA kernels for {spec.Attribute} on {className}:");
        writer.WriteLine($"// {spec.Formula}.");
        writer.WriteLine("// Self-contained (no include directives); float32, bfloat16 and float16 storage; float32 arithmetic and accumulation.");
        writer.WriteLine();
        writer.WriteLine($"#define PCG_GROUPS {spec.Groups.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_SLOTS {lowered.Slots.Slots.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_PARAMETERS (PCG_GROUPS * PCG_SLOTS)");
        writer.WriteLine($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_ROW_BLOCK {KernelContract.MaxRowThreads.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_ROW_CHUNKS {KernelContract.RowChunksPerThread.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", CultureInfo.InvariantCulture)}f");
        writer.WriteLine();
        writer.WriteVerbatim(Prelude.TrimEnd('\n') + "\n\n");
        writer.WriteLine($"// The forward: {(forward.Rowwise ? "a block per row, " : "")}{Describe(forward)}.");
        using (writer.Block(Header(KernelRole.Forward)))
        {
            new CudaKernelDialect(spec.Groups, spec.Experts).Walk(writer, forward);
        }
        writer.WriteLine();
        writer.WriteLine($"// The backward: {Describe(backward)}; then the PCG_PARAMETERS gradient partials of each block, which its last block sums.");
        using (writer.Block(Header(KernelRole.Backward)))
        {
            new CudaKernelDialect(spec.Groups, spec.Experts).Walk(writer, backward);
        }
        bool split = lowered.Split is not null;
        if (lowered.Split is SplitPlans plans)
        {
            EmitSplitKernels(writer, spec, plans);
        }
        writer.WriteLine();
        writer.WriteVerbatim(Reduce.TrimEnd('\n') + "\n");
        foreach (StorageType storage in KernelContract.StorageTypes)
        {
            foreach (KernelRole role in split ? KernelContract.OneShotRoles.Concat(KernelContract.SplitRoles) : KernelContract.OneShotRoles)
            {
                writer.WriteLine();
                EmitEntryPoint(writer, role, storage, spec.Gated, forward.Rowwise, spec.Experts > 1);
            }
        }
        return writer.ToString();
    }

    // Tensor parallelism's kernels (docs/math.md section 5b): the statistics stages and the apply kernels of each direction.
    private static void EmitSplitKernels(IndentedTextWriter writer, SpecModel spec, SplitPlans plans)
    {
        foreach (var (split, direction, statistics, apply) in new[]
        {
            (plans.Forward, "forward", KernelRole.ForwardStatistics, KernelRole.ForwardApply),
            (plans.Backward, "backward", KernelRole.BackwardStatistics, KernelRole.BackwardApply),
        })
        {
            writer.WriteLine();
            writer.WriteLine($"// The {direction}'s statistics for rows sharded over ranks: stage k runs pass k + 1 on this rank's shard and writes its");
            writer.WriteLine($"// totals to the row's {split.Layout.Columns} statistics, which are all-reduced before the next stage.");
            using (writer.Block(Header(statistics)))
            {
                new CudaKernelDialect(spec.Groups, 1).Walk(writer, split.Statistics);
            }
            writer.WriteLine();
            writer.WriteLine($"// The {direction} on this rank's shard of each row, from the row's all-reduced statistics.");
            using (writer.Block(Header(apply)))
            {
                new CudaKernelDialect(spec.Groups, 1).Walk(writer, split.Apply);
            }
        }
    }

    private static string Describe(KernelPlan plan) => string.Join(", ", plan.Passes.Select((p, i) =>
        $"pass {i + 1} " + string.Join(" and ", new[]
        {
            p.Reductions.Count > 0 ? (p.Reductions.All(r => r.Kind == ReductionKind.Max) ? "finds " : "sums ") + string.Join(", ", p.Reductions.Select(r => r.Name)) : null,
            p.Stores.Count > 0 ? "writes " + string.Join(", ", p.Stores.Select(s => s.Output.ToString().ToLowerInvariant())) : null,
        }.Where(s => s is not null))));

    private static readonly (ParameterKind, string) Input = (ParameterKind.Input, "const T* x"), Gate = (ParameterKind.Gate, "const T* gate"),
        Upstream = (ParameterKind.Upstream, "const T* dy"), Output = (ParameterKind.Output, "T* y"), InputGradient = (ParameterKind.InputGradient, "T* dx"),
        GateGradient = (ParameterKind.GateGradient, "T* dgate"), Parameters = (ParameterKind.Parameters, "const T* parameters"),
        Rows = (ParameterKind.Rows, "pcg_size rows"), Width = (ParameterKind.Width, "int h"), Length = (ParameterKind.RowLength, "int length"),
        StatisticsOut = (ParameterKind.StatisticsOut, "float* statistics"), StatisticsIn = (ParameterKind.StatisticsIn, "const float* statistics"),
        Stage = (ParameterKind.Stage, "int stage"), Rescaled = (ParameterKind.Rescaled, "int rescaled");

    // The device function of each role and its parameters, in order: every kind, gated or not (a missing one is nullptr).
    private static readonly Dictionary<KernelRole, (string Name, (ParameterKind Kind, string Declaration)[] Parameters)> DeviceFunctions = new()
    {
        [KernelRole.Forward] = ("pcg_forward", [Input, Gate, Output, Parameters, Rows, Width]),
        [KernelRole.Backward] = ("pcg_backward", [Input, Gate, Upstream, InputGradient, GateGradient, Parameters, (ParameterKind.PartialsOut, "float* partials"),
            (ParameterKind.ParameterGradient, "T* dparameters"), (ParameterKind.Counter, "unsigned int* counter"), Rows, Width]),
        [KernelRole.Reduce] = ("pcg_reduce", [(ParameterKind.PartialsIn, "const float* partials"), (ParameterKind.PartialRows, "pcg_size count"), (ParameterKind.ParameterGradient, "T* dparameters")]),
        [KernelRole.ForwardStatistics] = ("pcg_forward_statistics", [Input, Gate, Parameters, StatisticsOut, Stage, Rescaled, Rows, Width, Length]),
        [KernelRole.ForwardApply] = ("pcg_forward_apply", [Input, Gate, Output, Parameters, StatisticsIn, Rows, Width, Length]),
        [KernelRole.BackwardStatistics] = ("pcg_backward_statistics", [Input, Gate, Upstream, Parameters, StatisticsOut, Stage, Rescaled, Rows, Width, Length]),
        [KernelRole.BackwardApply] = ("pcg_backward_apply", [Input, Gate, Upstream, InputGradient, GateGradient, Parameters, StatisticsIn, (ParameterKind.PartialsOut, "float* partials"), Rows, Width, Length]),
    };

    // The device function's head: a template over the storage type, its name and its parameters.
    private static string Header(KernelRole role) =>
        $"template <typename T>\n__device__ __forceinline__ void {DeviceFunctions[role].Name}({string.Join(", ", DeviceFunctions[role].Parameters.Select(p => p.Declaration))})";

    // An entry point: extern "C", the contract's parameters in its order, forwarding to the device function. With
    // experts, grid row blockIdx.y is an expert: the device function gets that expert's rows (the element pointers moved
    // to its first row, its row count) and its parameter vector, and numbers its partials after the grid rows before it.
    private static void EmitEntryPoint(IndentedTextWriter writer, KernelRole role, StorageType storage, bool gated, bool rowwise, bool experts)
    {
        KernelParameter[] parameters = KernelContract.Parameters(role, gated, experts);
        bool byExpert = parameters.Any(p => p.Kind == ParameterKind.Offsets);
        string signature = string.Join(", ", parameters.Select(p => $"{p.CudaType(storage)} {p.Name}"));
        writer.WriteLine($"extern \"C\" __global__ void __launch_bounds__({KernelContract.BlockBound(role, rowwise)}) {KernelContract.EntryPoint(role, storage)}({signature})");
        using (writer.Block(""))
        {
            if (byExpert)
            {
                writer.WriteLine("const pcg_size pcg_first = (pcg_size)offsets[blockIdx.y], pcg_rows = (pcg_size)offsets[blockIdx.y + 1] - pcg_first, pcg_at = pcg_first * (pcg_size)h;");
            }
            string Argument(ParameterKind kind)
            {
                string? name = parameters.FirstOrDefault(p => p.Kind == kind).Name;
                return name is null ? "nullptr" : !byExpert ? name : kind switch
                {
                    ParameterKind.Input or ParameterKind.Gate or ParameterKind.Upstream or ParameterKind.Output or ParameterKind.InputGradient
                        or ParameterKind.GateGradient => $"{name} + pcg_at",
                    ParameterKind.Parameters => $"{name} + (pcg_size)blockIdx.y * PCG_PARAMETERS",
                    ParameterKind.Rows => "pcg_rows",
                    _ => name,
                };
            }
            var (function, kinds) = DeviceFunctions[role];
            writer.WriteLine($"{function}<{storage.CudaType}>({string.Join(", ", kinds.Select(k => Argument(k.Kind)))});");
        }
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(CudaKernelEmitter).Assembly.GetManifestResourceStream("PolyComGen.Generator.Emitters.Cuda." + name)
            ?? throw new InvalidOperationException($"The generator lacks its embedded {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }
}
