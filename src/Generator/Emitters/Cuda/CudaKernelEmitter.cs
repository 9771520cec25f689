using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.Cuda;

/// <summary>CUDA C++ in float32, calling the helpers of pcg_prelude.cuh.</summary>
internal sealed class CudaDialect : Dialect
{
    public static readonly CudaDialect Instance = new();

    public override string Constant(double value) => FloatLiteral(value) + "f";

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.Cuda, arguments);

    public override string Declare(string name, string value) => $"const float {name} = {value};";
}

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

    // The pointer each element input and store reads or writes, as the device functions name their parameters.
    private static readonly Dictionary<string, string> PointerOf = new()
    {
        [PlanNames.X] = "x", [PlanNames.Upstream] = "dy", [PlanNames.Gate] = "gate",
        [PlanNames.Output] = "y", [PlanNames.InputGradient] = "dx", [PlanNames.GateGradient] = "dgate",
    };

    public static string Emit(SpecModel spec, string className, KernelPlan forward, KernelPlan backward)
    {
        var writer = new IndentedTextWriter();
        writer.WriteLine($"// PolyComGen CUDA kernels for {spec.Attribute} on {className}:");
        writer.WriteLine($"// {spec.Formula}.");
        writer.WriteLine("// Self-contained (no include directives); float32, bfloat16 and float16 storage; float32 arithmetic and accumulation.");
        writer.WriteLine();
        writer.WriteLine($"#define PCG_ORDER {spec.Order.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_BLOCK {KernelContract.ThreadsPerBlock.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine($"#define PCG_STATISTIC_LIMIT {KernelContract.NormStatisticLimit.ToString("R", CultureInfo.InvariantCulture)}f");
        writer.WriteLine();
        writer.WriteVerbatim(Prelude.TrimEnd('\n') + "\n\n");
        writer.WriteLine($"// The forward: {(forward.Rowwise ? "a block per row, " : "")}{Describe(forward)}.");
        using (writer.Block("template <typename T>\n__device__ __forceinline__ void pcg_forward(const T* x, const T* gate, T* y, const T* weight, const T* bias, pcg_size rows, int h)"))
        {
            EmitFunction(writer, forward);
        }
        writer.WriteLine();
        writer.WriteLine($"// The backward: {Describe(backward)}; then the Order + 1 gradient partials of each {(backward.Rowwise ? "row" : "block")}.");
        using (writer.Block("template <typename T>\n__device__ __forceinline__ void pcg_backward(const T* x, const T* gate, const T* dy, T* dx, T* dgate, const T* weight, const T* bias, float* partials, pcg_size rows, int h)"))
        {
            EmitFunction(writer, backward);
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
            p.Stores.Count > 0 ? "writes " + string.Join(", ", p.Stores.Select(s => s.Name)) : null,
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
                    $"{Argument(ParameterKind.Weight)}, {Argument(ParameterKind.Bias)}, {Argument(ParameterKind.Rows)}, {Argument(ParameterKind.Width)})",
                KernelRole.Backward => $"pcg_backward<{storage.CudaType}>({Argument(ParameterKind.Input)}, {Argument(ParameterKind.Gate)}, {Argument(ParameterKind.Upstream)}, " +
                    $"{Argument(ParameterKind.InputGradient)}, {Argument(ParameterKind.GateGradient)}, {Argument(ParameterKind.Weight)}, {Argument(ParameterKind.Bias)}, " +
                    $"{Argument(ParameterKind.PartialsOut)}, {Argument(ParameterKind.Rows)}, {Argument(ParameterKind.Width)})",
                _ => $"pcg_reduce<{storage.CudaType}>({Argument(ParameterKind.PartialsIn)}, {Argument(ParameterKind.PartialRows)}, {Argument(ParameterKind.WeightGradient)}, {Argument(ParameterKind.BiasGradient)})",
            };
            writer.WriteLine(call + ";");
        }
    }

    // How plan variables are spelled in the device functions.
    private static string Spell(string name) => name switch
    {
        PlanNames.X => "vx",
        PlanNames.Upstream => "vg",
        PlanNames.Gate => "vgate",
        PlanNames.RowLength => "hf",
        _ => name,
    };

    private static void EmitFunction(IndentedTextWriter writer, KernelPlan plan)
    {
        var used = new HashSet<string>(plan.Passes.SelectMany(p => p.ElementExpressions.Concat(p.Before.Concat(p.After).Select(a => a.Value))).Concat(plan.Partials).SelectMany(e => e.Variables()));
        foreach (string weight in used.Where(n => PlanNames.IsParameter(n) && n != PlanNames.Bias).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal))
        {
            writer.WriteLine($"const float {weight} = pcg_to_float(weight[{int.Parse(weight.Substring(1), CultureInfo.InvariantCulture) - 1}]);");
        }
        if (used.Contains(PlanNames.Bias))
        {
            writer.WriteLine("const float b = pcg_to_float(bias[0]);");
        }
        if (plan.Rowwise)
        {
            if (used.Contains(PlanNames.RowLength))
            {
                writer.WriteLine("const float hf = (float)h;");
            }
            using (writer.Block("for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)"))
            {
                EmitPasses(writer, plan, "h", "threadIdx.x", "blockDim.x", "row * h");
                EmitPartials(writer, plan, "row");
            }
        }
        else
        {
            writer.WriteLine("const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;");
            EmitPasses(writer, plan, "rows * h", "t", "nt", null);
            EmitPartials(writer, plan, "(pcg_size)blockIdx.x");
        }
    }

    private static void EmitPasses(IndentedTextWriter writer, KernelPlan plan, string count, string thread, string threads, string? rowOffset)
    {
        for (int p = 0; p < plan.Passes.Count; p++)
        {
            Pass pass = plan.Passes[p];
            string label = (p + 1).ToString(CultureInfo.InvariantCulture);
            IReadOnlyList<string> inputs = KernelPlan.InputsOf(pass);
            var sums = pass.Reductions.Where(r => r.Kind == ReductionKind.Sum).ToList();
            var maxes = pass.Reductions.Where(r => r.Kind == ReductionKind.Max).ToList();
            bool rescaled = pass.Rescales.Count > 0;
            IndentedTextWriter.Scope? attempts = null;
            if (rescaled)
            {
                // Run with every scale 1; run again, scaled, only when a statistic overflowed (docs/math.md section 4).
                // Every thread holds the block's reductions, so the decision is uniform across the block.
                writer.WriteLine($"float {string.Join(", ", pass.Rescales.Select(r => r.Name + " = 1.0f"))};");
                writer.WriteLine($"float {string.Join(", ", pass.Reductions.Select(r => r.Name))};");
                attempts = writer.Block("for (int attempt = 0; ; attempt++)");
            }
            EmitDefinitions(writer, pass.Before);
            if (sums.Count > 0)
            {
                writer.WriteLine($"float sums{label}[{sums.Count}] = {{}};");
            }
            if (maxes.Count > 0)
            {
                writer.WriteLine($"float maxes{label}[{maxes.Count}] = {{}};");
            }
            string Pointer(string name) => rowOffset is null ? PointerOf[name] : $"{PointerOf[name]} + {rowOffset}";
            using (writer.Block(""))
            {
                writer.WriteLine($"const T* in[{inputs.Count}] = {{ {string.Join(", ", inputs.Select(Pointer))} }};");
                if (pass.Stores.Count > 0)
                {
                    writer.WriteLine($"T* out[{pass.Stores.Count}] = {{ {string.Join(", ", pass.Stores.Select(s => Pointer(s.Name)))} }};");
                }
                string output = pass.Stores.Count > 0 ? "out" : "nullptr";
                using (writer.Block($"pcg_map<T, {inputs.Count}, {pass.Stores.Count}>(in, {output}, {count}, {thread}, {threads}, [&](const float* v, float* r)", close: "});"))
                {
                    for (int i = 0; i < inputs.Count; i++)
                    {
                        writer.WriteLine($"const float {Spell(inputs[i])} = v[{i}];");
                    }
                    ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(CudaDialect.Instance, Spell, "t", pass.ElementExpressions);
                    foreach (string statement in compiled.Statements)
                    {
                        writer.WriteLine(statement);
                    }
                    for (int r = 0; r < pass.Reductions.Count; r++)
                    {
                        Reduction reduction = pass.Reductions[r];
                        writer.WriteLine(reduction.Kind == ReductionKind.Sum
                            ? $"sums{label}[{sums.IndexOf(reduction)}] += {compiled.Results[r]};"
                            : $"maxes{label}[{maxes.IndexOf(reduction)}] = fmaxf(maxes{label}[{maxes.IndexOf(reduction)}], {compiled.Results[r]});");
                    }
                    for (int s = 0; s < pass.Stores.Count; s++)
                    {
                        writer.WriteLine($"r[{s}] = {compiled.Results[pass.Reductions.Count + s]};");
                    }
                    if (pass.Stores.Count == 0)
                    {
                        writer.WriteLine("(void)r;");
                    }
                }
            }
            if (sums.Count > 0)
            {
                writer.WriteLine($"pcg_block_sum(sums{label});");
            }
            if (maxes.Count > 0)
            {
                writer.WriteLine($"pcg_block_max(maxes{label});");
            }
            string declaration = rescaled ? "" : "const float ";
            foreach (Reduction reduction in pass.Reductions)
            {
                writer.WriteLine(reduction.Kind == ReductionKind.Sum
                    ? $"{declaration}{reduction.Name} = sums{label}[{sums.IndexOf(reduction)}];"
                    : $"{declaration}{reduction.Name} = maxes{label}[{maxes.IndexOf(reduction)}];");
            }
            if (attempts is not null)
            {
                writer.WriteLine("if (attempt > 0) break;");
                EmitDefinitions(writer, pass.Rescales.Select(r => r with { Name = r.Name + "_rescaled" }).ToList());
                writer.WriteLine($"if ({string.Join(" && ", pass.Rescales.Select(r => r.Name + "_rescaled == 1.0f"))}) break;");
                foreach (Definition rescale in pass.Rescales)
                {
                    writer.WriteLine($"{rescale.Name} = {rescale.Name}_rescaled;");
                }
                attempts.Value.Dispose();
            }
            EmitDefinitions(writer, pass.After);
        }
    }

    // Row scalars, one after the other (each may use the ones before).
    private static void EmitDefinitions(IndentedTextWriter writer, IReadOnlyList<Definition> definitions)
    {
        foreach (Definition definition in definitions)
        {
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(CudaDialect.Instance, Spell, definition.Name + "_t", [definition.Value]);
            foreach (string statement in compiled.Statements)
            {
                writer.WriteLine(statement);
            }
            writer.WriteLine($"const float {definition.Name} = {compiled.Results[0]};");
        }
    }

    private static void EmitPartials(IndentedTextWriter writer, KernelPlan plan, string row)
    {
        if (plan.Partials.Count == 0)
        {
            return;
        }
        using (writer.Block("if (threadIdx.x == 0)"))
        {
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(CudaDialect.Instance, Spell, "p_t", plan.Partials);
            foreach (string statement in compiled.Statements)
            {
                writer.WriteLine(statement);
            }
            for (int k = 0; k < plan.Partials.Count; k++)
            {
                writer.WriteLine($"partials[{row} * (PCG_ORDER + 1) + {k.ToString(CultureInfo.InvariantCulture)}] = {compiled.Results[k]};");
            }
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
