using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.Cuda;

/// <summary>
/// How a CUDA device function spells a plan's walk: rowwise plans take a row per block (striding over rows) and sweep
/// the row once per pass, in 16-byte chunks (<c>pcg_map_row</c>), keeping the row's inputs on chip from the first pass
/// to the last (<c>pcg_row_cache</c>: each input is read from global memory once), with a block reduction after each
/// pass; elementwise plans run one grid-stride sweep (<c>pcg_map</c>). A backward leaves one row of partials per block,
/// and the one-shot backward's last block sums them into the parameters' gradient (<c>pcg_finish_gradients</c>).
/// </summary>
/// <remarks>
/// With several groups, a rowwise plan runs each pass group by group (<see cref="GroupLoop"/>) over the group's columns
/// of the row, from the same row cache; in an elementwise plan block b serves group b % PCG_GROUPS with that group's
/// parameters, sweeping the group's columns of every row (<c>pcg_map_grouped</c>), and writes its partials into its
/// group's columns of row b / PCG_GROUPS.
/// </remarks>
/// <param name="groups">The groups of the spec's parameters.</param>
/// <param name="experts">
/// The spec's experts: with more than one, the entry points run a row of blocks per expert (<c>blockIdx.y</c>), and a
/// block's partials go after those of the grid rows before it.
/// </param>
internal sealed class CudaKernelDialect(int groups, int experts) : PlanWalker
{
    private bool Grouped => groups > 1;

    // The partials row a block writes: its row among its grid row's (rowwise and ungrouped elementwise: its block; grouped
    // elementwise: its block over the groups), after the partials of the grid rows of the experts before it.
    private string PartialRow(bool rowwise)
    {
        string row = !rowwise && Grouped ? "(pcg_size)(blockIdx.x / PCG_GROUPS)" : "(pcg_size)blockIdx.x";
        return experts > 1 ? $"((pcg_size)blockIdx.y * {PartialRowsPerExpert(rowwise)} + {row})" : row;
    }

    // The partials rows of one grid row of blocks.
    private string PartialRowsPerExpert(bool rowwise) => !rowwise && Grouped ? "gridDim.x / PCG_GROUPS" : "gridDim.x";

    protected override Dialect Expressions => CudaDialect.Instance;

    // What the device functions and their sweeps name themselves (the accumulators sums1, maxes1, slots1 ... are numbered by pass).
    protected override IEnumerable<string> FixedNames =>
        ["x", "gate", "dy", "y", "dx", "dgate", "parameters", "partials", "dparameters", "counter", "statistics", "rows", "h", "hf", "length", "stage",
         "rescaled", "row", "g", "gl", "t", "nt", "in", "out", "v", "r", "st", "attempt", "sums", "maxes", "slots", "pcg_cache", "pcg_loaded",
         "pcg_accumulated", "pcg_j"];

    protected override string Spell(Variable variable) => variable.Role switch
    {
        VariableRole.Input => "vx",
        VariableRole.Upstream => "vg",
        VariableRole.Gate => "vgate",
        VariableRole.RowLength => "hf",
        _ => variable.Name,
    };

    // The pointer each element input and output reads or writes, as the device functions name their parameters.
    private static string PointerOf(Variable input) => input.Role switch
    {
        VariableRole.Input => "x",
        VariableRole.Upstream => "dy",
        _ => "gate",
    };

    private static string PointerOf(ElementOutput output) => output switch
    {
        ElementOutput.Y => "y",
        ElementOutput.Dx => "dx",
        _ => "dgate",
    };

    protected override void WriteFunction(IndentedTextWriter writer, KernelPlan plan, PlanParameters parameters, string body)
    {
        if (Grouped && plan.Rowwise)
        {
            // Each group's values are read at the start of its run of the row (GroupLoop).
            if (parameters.Parameters.Count > 0)
            {
                writer.WriteLine($"float {string.Join(", ", parameters.Parameters.Select(p => p.Name + " = 0.0f"))};");
            }
            writer.WriteLine("const int gl = h / PCG_GROUPS;");
        }
        else
        {
            if (Grouped)
            {
                writer.WriteLine("const int g = blockIdx.x % PCG_GROUPS;");
            }
            foreach (Variable parameter in parameters.Parameters)
            {
                string slot = parameter.Index.ToString(CultureInfo.InvariantCulture);
                writer.WriteLine($"const float {parameter.Name} = pcg_to_float(parameters[{(Grouped ? "g * PCG_SLOTS + " + slot : slot)}]);");
            }
        }
        if (plan.Rowwise)
        {
            if (parameters.RowLength)
            {
                // The length the statistics are means over: h, or for a split plan's shard the whole row's, which the launch gives.
                writer.WriteLine($"const float hf = (float){(plan.Statistics is null ? "h" : "length")};");
            }
            if (plan.HasGradients)
            {
                // Thread 0 adds up the block's rows' partials, in the order the block takes its rows.
                writer.WriteLine("__shared__ float pcg_accumulated[PCG_PARAMETERS];");
                writer.WriteLine("if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) pcg_accumulated[pcg_j] = 0.0f;");
            }
            using (writer.Block("for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)"))
            {
                writer.WriteLine($"pcg_row_cache<T, {Integer(PlanInputs(plan).Count)}> pcg_cache;");
                writer.WriteLine("bool pcg_loaded = false;");
                writer.WriteVerbatimLines(body);
            }
            if (plan.HasGradients)
            {
                writer.WriteLine("if (threadIdx.x == 0) for (int pcg_j = 0; pcg_j < PCG_PARAMETERS; pcg_j++) partials[" + PartialRow(rowwise: true) + " * PCG_PARAMETERS + pcg_j] = pcg_accumulated[pcg_j];");
            }
        }
        else if (Grouped)
        {
            writer.WriteLine("const pcg_size t = (pcg_size)(blockIdx.x / PCG_GROUPS) * blockDim.x + threadIdx.x, nt = (pcg_size)(gridDim.x / PCG_GROUPS) * blockDim.x;");
            writer.WriteVerbatimLines(body);
        }
        else
        {
            writer.WriteLine("const pcg_size t = (pcg_size)blockIdx.x * blockDim.x + threadIdx.x, nt = (pcg_size)gridDim.x * blockDim.x;");
            writer.WriteVerbatimLines(body);
        }
        if (plan.HasGradients && plan.Statistics is null)
        {
            // The one-shot backward: its last block sums every block's partials (the split backward leaves them to be all-reduced).
            writer.WriteLine($"pcg_finish_gradients<T>(partials, {PartialRowsPerExpert(plan.Rowwise)}, dparameters, counter);");
        }
    }

    /// <summary>The element inputs any pass of <paramref name="plan"/> reads, in the order x, g, gate: the row cache's.</summary>
    private static IReadOnlyList<Variable> PlanInputs(KernelPlan plan)
    {
        var used = new HashSet<Variable>(plan.Passes.SelectMany(KernelPlan.InputsOf));
        return new[] { PlanVariables.X, PlanVariables.Upstream, PlanVariables.Gate }.Where(used.Contains).ToList();
    }

    // Every thread holds the block's reductions, so the decision to rerun is uniform across the block.
    protected override void BeginPass(IndentedTextWriter writer, Pass pass)
    {
        if (pass.Rescales.Count > 0)
        {
            writer.WriteLine($"float {string.Join(", ", pass.Rescales.Select(r => r.Name + " = 1.0f"))};");
            writer.WriteLine($"float {string.Join(", ", pass.Reductions.Select(r => r.Name))};");
        }
    }

    protected override IDisposable Runs(IndentedTextWriter writer) => writer.Block("for (int attempt = 0; ; attempt++)");

    /// <summary>
    /// The loop over the groups of a rowwise plan: the row's statistics accumulate over every group's run and are
    /// block-summed after the loop; each group's sums (<see cref="Reduction.Slot"/>) are block-summed at the end of its
    /// run and written to partials[row][g * PCG_SLOTS + slot].
    /// </summary>
    protected override IDisposable? GroupLoop(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index)
    {
        if (!(Grouped && plan.Rowwise))
        {
            return null;
        }
        string label = (index + 1).ToString(CultureInfo.InvariantCulture);
        var (sums, maxes, slots) = Kinds(pass);
        DeclareAccumulators(writer, label, sums, maxes);
        var loop = writer.Block("for (int g = 0; g < PCG_GROUPS; g++)");
        foreach (Variable parameter in plan.Parameters.Parameters)
        {
            writer.WriteLine($"{parameter.Name} = pcg_to_float(parameters[g * PCG_SLOTS + {parameter.Index.ToString(CultureInfo.InvariantCulture)}]);");
        }
        if (slots.Count > 0)
        {
            writer.WriteLine($"float slots{label}[{slots.Count}] = {{}};");
        }
        return new Closing(() =>
        {
            if (slots.Count > 0)
            {
                writer.WriteLine($"pcg_block_sum(slots{label});");
                using (writer.Block("if (threadIdx.x == 0)"))
                {
                    for (int k = 0; k < slots.Count; k++)
                    {
                        writer.WriteLine($"pcg_accumulated[g * PCG_SLOTS + {slots[k].Slot!.Value.ToString(CultureInfo.InvariantCulture)}] += slots{label}[{k.ToString(CultureInfo.InvariantCulture)}];");
                    }
                }
            }
            loop.Dispose();
            writer.WriteLine("pcg_loaded = true;");
            FinishRowReductions(writer, pass, label, sums, maxes, rerunnable: pass.Rescales.Count > 0);
        });
    }

    // A pass's reductions by kind: the row's sums and maxima, and the group sums of a grouped plan.
    private static (List<Reduction> Sums, List<Reduction> Maxes, List<Reduction> Slots) Kinds(Pass pass) => (
        pass.Reductions.Where(r => r.Kind == ReductionKind.Sum && r.Slot is null).ToList(),
        pass.Reductions.Where(r => r.Kind == ReductionKind.Max).ToList(),
        pass.Reductions.Where(r => r.Slot is not null).ToList());

    private static void DeclareAccumulators(IndentedTextWriter writer, string label, List<Reduction> sums, List<Reduction> maxes)
    {
        if (sums.Count > 0)
        {
            writer.WriteLine($"float sums{label}[{sums.Count}] = {{}};");
        }
        if (maxes.Count > 0)
        {
            writer.WriteLine($"float maxes{label}[{maxes.Count}] = {{}};");
        }
    }

    // The block reductions of the row's statistics, then each total by its name.
    private static void FinishRowReductions(IndentedTextWriter writer, Pass pass, string label, List<Reduction> sums, List<Reduction> maxes, bool rerunnable)
    {
        if (sums.Count > 0)
        {
            writer.WriteLine($"pcg_block_sum(sums{label});");
        }
        if (maxes.Count > 0)
        {
            writer.WriteLine($"pcg_block_max(maxes{label});");
        }
        string declaration = rerunnable ? "" : "const float ";
        foreach (Reduction reduction in pass.Reductions.Where(r => r.Slot is null))
        {
            writer.WriteLine(reduction.Kind == ReductionKind.Sum
                ? $"{declaration}{reduction.Name} = sums{label}[{sums.IndexOf(reduction)}];"
                : $"{declaration}{reduction.Name} = maxes{label}[{maxes.IndexOf(reduction)}];");
        }
    }

    protected override void StopAfterRerun(IndentedTextWriter writer) => writer.WriteLine("if (attempt > 0) break;");

    protected override void StopIfUnscaled(IndentedTextWriter writer, IReadOnlyList<string> scales) =>
        writer.WriteLine($"if ({string.Join(" && ", scales.Select(s => s + " == 1.0f"))}) break;");

    protected override void Sweep(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index, bool rerunnable)
    {
        // Inside the group loop of a rowwise plan (GroupLoop): the sweep covers the group's run, and leaves the block sums to the loop.
        bool inGroups = Grouped && plan.Rowwise;
        string label = (index + 1).ToString(CultureInfo.InvariantCulture);
        // A rowwise sweep takes every input of the plan (the row cache's) and reads those of the pass; an elementwise one its own.
        IReadOnlyList<Variable> used = KernelPlan.InputsOf(pass), inputs = plan.Rowwise ? PlanInputs(plan) : used;
        var (sums, maxes, slots) = Kinds(pass);
        if (!inGroups)
        {
            DeclareAccumulators(writer, label, sums, maxes);
        }
        string Pointer(string name) => plan.Rowwise ? $"{name} + row * h" : name;
        using (writer.Block(""))
        {
            writer.WriteLine($"const T* in[{inputs.Count}] = {{ {string.Join(", ", inputs.Select(i => Pointer(PointerOf(i))))} }};");
            if (pass.Stores.Count > 0)
            {
                writer.WriteLine($"T* out[{pass.Stores.Count}] = {{ {string.Join(", ", pass.Stores.Select(s => Pointer(PointerOf(s.Output))))} }};");
            }
            string output = pass.Stores.Count > 0 ? "out" : "nullptr";
            string map;
            if (plan.Rowwise)
            {
                uint mask = 0;
                for (int i = 0; i < inputs.Count; i++)
                {
                    mask |= used.Contains(inputs[i]) ? 1u << i : 0u;
                }
                map = $"pcg_map_row<T, {inputs.Count}, {pass.Stores.Count}, {mask}u>(in, {output}, pcg_cache, pcg_loaded, {(inGroups ? "g * gl, (g + 1) * gl" : "0, h")}, ";
            }
            else
            {
                map = Grouped
                    ? $"pcg_map_grouped<T, {inputs.Count}, {pass.Stores.Count}>(in, {output}, rows, h, h / PCG_GROUPS, g, t, nt, "
                    : $"pcg_map<T, {inputs.Count}, {pass.Stores.Count}>(in, {output}, rows * h, t, nt, ";
            }
            using (writer.Block(map + "[&](const float* v, float* r)", close: "});"))
            {
                for (int i = 0; i < inputs.Count; i++)
                {
                    if (used.Contains(inputs[i]))
                    {
                        writer.WriteLine($"const float {Spell(inputs[i])} = v[{i}];");
                    }
                }
                ExpressionCompiler.Compiled compiled = Compile("t", pass.ElementExpressions);
                WriteStatements(writer, compiled);
                for (int r = 0; r < pass.Reductions.Count; r++)
                {
                    Reduction reduction = pass.Reductions[r];
                    writer.WriteLine(reduction.Slot is not null
                        ? $"slots{label}[{slots.IndexOf(reduction)}] += {compiled.Results[r]};"
                        : reduction.Kind == ReductionKind.Sum
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
        if (!inGroups)
        {
            if (plan.Rowwise)
            {
                writer.WriteLine("pcg_loaded = true;");
            }
            FinishRowReductions(writer, pass, label, sums, maxes, rerunnable);
        }
    }

    // The split kernels (tensor parallelism, docs/math.md section 5b): the row's statistics, a stage per launch.

    protected override void BeginStatistics(IndentedTextWriter writer, StatisticsRow statistics) =>
        writer.WriteLine($"{(statistics.Writes ? "float*" : "const float*")} st = statistics + row * {Integer(statistics.Columns)};");

    protected override IDisposable StageBlock(IndentedTextWriter writer, int stage) => writer.Block($"if (stage == {Integer(stage)})");

    protected override void ReadGiven(IndentedTextWriter writer, StatisticColumn column) =>
        writer.WriteLine($"const float {column.Name} = st[{Integer(column.Column)}];");

    // Every thread holds the block's totals; one writes them.
    protected override void Publish(IndentedTextWriter writer, IReadOnlyList<StatisticColumn> columns)
    {
        using (writer.Block("if (threadIdx.x == 0)"))
        {
            foreach (StatisticColumn column in columns)
            {
                writer.WriteLine($"st[{Integer(column.Column)}] = {column.Name};");
            }
        }
    }

    protected override void DeclareScales(IndentedTextWriter writer, IReadOnlyList<string> scales) =>
        writer.WriteLine($"float {string.Join(", ", scales.Select(s => s + " = 1.0f"))};");

    protected override IDisposable RescaledRun(IndentedTextWriter writer) => writer.Block("if (rescaled)");

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    // A rowwise plan adds each row's partials to the block's (written after its last row); an elementwise one writes its block's.
    protected override void WritePartials(IndentedTextWriter writer, KernelPlan plan)
    {
        string group = Grouped ? "g * PCG_SLOTS + " : "";
        using (writer.Block("if (threadIdx.x == 0)"))
        {
            ExpressionCompiler.Compiled compiled = Compile("p_t", plan.Partials);
            WriteStatements(writer, compiled);
            for (int k = 0; k < plan.Partials.Count; k++)
            {
                string slot = group + k.ToString(CultureInfo.InvariantCulture);
                writer.WriteLine(plan.Rowwise
                    ? $"pcg_accumulated[{slot}] += {compiled.Results[k]};"
                    : $"partials[{PartialRow(rowwise: false)} * PCG_PARAMETERS + {slot}] = {compiled.Results[k]};");
            }
        }
    }
}
