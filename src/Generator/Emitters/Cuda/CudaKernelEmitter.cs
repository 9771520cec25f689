using System;
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
/// Rowwise kernels take a row per block (striding over rows) and sweep the row once per pass, in 16-byte chunks,
/// with a block reduction after each pass; elementwise kernels run one grid-stride pass and leave one row of
/// partials per block.
/// </remarks>
internal static class CudaKernelEmitter
{
    private static readonly string Prelude = Resource("pcg_prelude.cuh");
    private static readonly string Reduce = Resource("pcg_reduce.cuh");

    public static string Emit(SpecModel spec, string className, KernelPlan forward, KernelPlan backward)
    {
        var writer = new IndentedTextWriter();
        writer.WriteLine($"// PolyComGen CUDA kernels for {spec.Attribute} on {className}:");
        writer.WriteLine($"// {spec.Formula}.");
        writer.WriteLine("// Self-contained (no include directives); float32, bfloat16 and float16 storage; float32 arithmetic and accumulation.");
        writer.WriteLine();
        writer.WriteLine($"#define PCG_GROUPS {spec.Groups.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_SLOTS {spec.Slots.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_PARAMETERS (PCG_GROUPS * PCG_SLOTS)");
        writer.WriteLine($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", CultureInfo.InvariantCulture)}f");
        writer.WriteLine();
        writer.WriteVerbatim(Prelude.TrimEnd('\n') + "\n\n");
        writer.WriteLine($"// The forward: {(forward.Rowwise ? "a block per row, " : "")}{Describe(forward)}.");
        using (writer.Block("template <typename T>\n__device__ __forceinline__ void pcg_forward(const T* x, const T* gate, T* y, const T* parameters, pcg_size rows, int h)"))
        {
            new CudaKernelDialect(spec.Groups).Walk(writer, forward);
        }
        writer.WriteLine();
        writer.WriteLine($"// The backward: {Describe(backward)}; then the PCG_PARAMETERS gradient partials of each {(backward.Rowwise ? "row" : "block")}.");
        using (writer.Block("template <typename T>\n__device__ __forceinline__ void pcg_backward(const T* x, const T* gate, const T* dy, T* dx, T* dgate, const T* parameters, float* partials, pcg_size rows, int h)"))
        {
            new CudaKernelDialect(spec.Groups).Walk(writer, backward);
        }
        writer.WriteLine();
        writer.WriteVerbatim(Reduce.TrimEnd('\n') + "\n");
        foreach (StorageType storage in KernelContract.StorageTypes)
        {
            foreach (KernelRole role in new[] { KernelRole.Forward, KernelRole.Backward, KernelRole.Reduce })
            {
                writer.WriteLine();
                EmitEntryPoint(writer, role, storage, spec.Gated);
            }
        }
        return writer.ToString();
    }

    private static string Describe(KernelPlan plan) => string.Join(", ", plan.Passes.Select((p, i) =>
        $"pass {i + 1} " + string.Join(" and ", new[]
        {
            p.Reductions.Count > 0 ? (p.Reductions.All(r => r.Kind == ReductionKind.Max) ? "finds " : "sums ") + string.Join(", ", p.Reductions.Select(r => r.Name)) : null,
            p.Stores.Count > 0 ? "writes " + string.Join(", ", p.Stores.Select(s => s.Output.ToString().ToLowerInvariant())) : null,
        }.Where(s => s is not null))));

    // An entry point: extern "C", the contract's parameters in its order, forwarding to the device function.
    private static void EmitEntryPoint(IndentedTextWriter writer, KernelRole role, StorageType storage, bool gated)
    {
        KernelParameter[] parameters = KernelContract.Parameters(role, gated);
        string signature = string.Join(", ", parameters.Select(p => $"{p.CudaType(storage)} {p.Name}"));
        writer.WriteLine($"extern \"C\" __global__ void __launch_bounds__(PCG_BLOCK) {KernelContract.EntryPoint(role, storage)}({signature})");
        using (writer.Block(""))
        {
            string Argument(ParameterKind kind) => parameters.FirstOrDefault(p => p.Kind == kind).Name ?? "nullptr";
            string call = role switch
            {
                KernelRole.Forward => $"pcg_forward<{storage.CudaType}>({Argument(ParameterKind.Input)}, {Argument(ParameterKind.Gate)}, {Argument(ParameterKind.Output)}, " +
                    $"{Argument(ParameterKind.Parameters)}, {Argument(ParameterKind.Rows)}, {Argument(ParameterKind.Width)})",
                KernelRole.Backward => $"pcg_backward<{storage.CudaType}>({Argument(ParameterKind.Input)}, {Argument(ParameterKind.Gate)}, {Argument(ParameterKind.Upstream)}, " +
                    $"{Argument(ParameterKind.InputGradient)}, {Argument(ParameterKind.GateGradient)}, {Argument(ParameterKind.Parameters)}, " +
                    $"{Argument(ParameterKind.PartialsOut)}, {Argument(ParameterKind.Rows)}, {Argument(ParameterKind.Width)})",
                _ => $"pcg_reduce<{storage.CudaType}>({Argument(ParameterKind.PartialsIn)}, {Argument(ParameterKind.PartialRows)}, {Argument(ParameterKind.ParameterGradient)})",
            };
            writer.WriteLine(call + ";");
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
