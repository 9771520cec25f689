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
/// the row once per pass, in 16-byte chunks (<c>pcg_map</c>), with a block reduction after each pass; elementwise
/// plans run one grid-stride sweep and leave one row of partials per block.
/// </summary>
/// <remarks>
/// With several groups (elementwise plans only), block b serves group b % PCG_GROUPS with that group's parameters,
/// sweeping the group's columns of every row (<c>pcg_map_grouped</c>), and writes its partials into its group's columns
/// of row b / PCG_GROUPS.
/// </remarks>
/// <param name="groups">The groups of the spec's parameters.</param>
internal sealed class CudaKernelDialect(int groups) : PlanWalker
{
    private bool Grouped => groups > 1;

    protected override Dialect Expressions => CudaDialect.Instance;

    // What the device functions and their sweeps name themselves (the accumulators sums1, maxes1, slots1 ... are numbered by pass).
    protected override IEnumerable<string> FixedNames =>
        ["x", "gate", "dy", "y", "dx", "dgate", "parameters", "partials", "statistics", "rows", "h", "hf", "length", "stage", "rescaled", "row", "g", "gl",
         "t", "nt", "in", "out", "v", "r", "st", "attempt", "sums", "maxes", "slots"];

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
                writer.WriteLine($"const float hf = (float){rowLength};");
            }
            using (writer.Block("for (pcg_size row = blockIdx.x; row < rows; row += gridDim.x)"))
            {
                writer.WriteVerbatimLines(body);
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

    // Inside the group loop of a rowwise plan: the sweep covers the group's run, and leaves the block sums to the loop.
    private bool inGroups;

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
        inGroups = true;
        return new Closing(() =>
        {
            inGroups = false;
            if (slots.Count > 0)
            {
                writer.WriteLine($"pcg_block_sum(slots{label});");
                using (writer.Block("if (threadIdx.x == 0)"))
                {
                    for (int k = 0; k < slots.Count; k++)
                    {
                        writer.WriteLine($"partials[row * PCG_PARAMETERS + g * PCG_SLOTS + {slots[k].Slot!.Value.ToString(CultureInfo.InvariantCulture)}] = slots{label}[{k.ToString(CultureInfo.InvariantCulture)}];");
                    }
                }
            }
            loop.Dispose();
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
        var (count, thread, threads, rowOffset) = plan.Rowwise
            ? (inGroups ? "gl" : "h", "threadIdx.x", "blockDim.x", inGroups ? "row * h + (pcg_size)g * gl" : "row * h")
            : ("rows * h", "t", "nt", (string?)null);
        string label = (index + 1).ToString(CultureInfo.InvariantCulture);
        IReadOnlyList<Variable> inputs = KernelPlan.InputsOf(pass);
        var (sums, maxes, slots) = Kinds(pass);
        if (!inGroups)
        {
            DeclareAccumulators(writer, label, sums, maxes);
        }
        string Pointer(string name) => rowOffset is null ? name : $"{name} + {rowOffset}";
        using (writer.Block(""))
        {
            writer.WriteLine($"const T* in[{inputs.Count}] = {{ {string.Join(", ", inputs.Select(i => Pointer(PointerOf(i))))} }};");
            if (pass.Stores.Count > 0)
            {
                writer.WriteLine($"T* out[{pass.Stores.Count}] = {{ {string.Join(", ", pass.Stores.Select(s => Pointer(PointerOf(s.Output))))} }};");
            }
            string output = pass.Stores.Count > 0 ? "out" : "nullptr";
            string map = Grouped && !plan.Rowwise
                ? $"pcg_map_grouped<T, {inputs.Count}, {pass.Stores.Count}>(in, {output}, rows, h, h / PCG_GROUPS, g, {thread}, {threads}, "
                : $"pcg_map<T, {inputs.Count}, {pass.Stores.Count}>(in, {output}, {count}, {thread}, {threads}, ";
            using (writer.Block(map + "[&](const float* v, float* r)", close: "});"))
            {
                for (int i = 0; i < inputs.Count; i++)
                {
                    writer.WriteLine($"const float {Spell(inputs[i])} = v[{i}];");
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
            FinishRowReductions(writer, pass, label, sums, maxes, rerunnable);
        }
    }

    // The row length the statistics are means over: h, or for the split kernels the whole row's length.
    private string rowLength = "h";

    /// <summary>
    /// The statistics kernel of a split plan (tensor parallelism, docs/math.md section 5b): for stage <c>stage</c>, the row scalars
    /// of the earlier stages from their (all-reduced) columns of the row's statistics, then the stage's pass over this
    /// rank's shard of the row, its totals and scales written to its columns. With <c>rescaled</c>, the pass runs with
    /// the scales its all-reduced first run calls for, as the one-shot kernel's second run does.
    /// </summary>
    public void WalkStatistics(IndentedTextWriter writer, KernelPlan plan, StatisticsLayout layout)
    {
        rowLength = "length";
        Begin(plan);
        var body = new IndentedTextWriter();
        body.WriteLine($"float* st = statistics + row * {Integer(layout.Columns)};");
        for (int s = 0; s < layout.Stages.Count; s++)
        {
            StatisticsStage stage = layout.Stages[s];
            using (body.Block($"if (stage == {Integer(s)})"))
            {
                for (int p = 0; p < stage.Pass; p++)
                {
                    ReadGiven(body, plan.Passes[p], layout);
                }
                Pass pass = plan.Passes[stage.Pass];
                if (pass.Rescales.Count > 0)
                {
                    body.WriteLine($"float {string.Join(", ", pass.Rescales.Select(r => r.Name + " = 1.0f"))};");
                    using (body.Block("if (rescaled)"))
                    {
                        var read = new HashSet<string>(pass.Rescales.SelectMany(r => r.Value.VariableNodes()).Select(v => v.Name));
                        ReadColumns(body, pass.Reductions.Select(r => r.Name).Where(read.Contains), layout);
                        var scales = pass.Rescales.Select(r => r with { Name = Names.Name(r.Name + "_given") }).ToList();
                        WriteDefinitions(body, scales);
                        for (int r = 0; r < pass.Rescales.Count; r++)
                        {
                            body.WriteLine(Expressions.Assign(pass.Rescales[r].Name, scales[r].Name));
                        }
                    }
                }
                WriteDefinitions(body, pass.Before);
                Sweep(body, plan, pass, stage.Pass, rerunnable: false);
                using (body.Block("if (threadIdx.x == 0)"))
                {
                    foreach (string name in pass.Reductions.Select(r => r.Name).Concat(pass.Rescales.Select(r => r.Name)))
                    {
                        body.WriteLine($"st[{Integer(layout.ColumnOf[name])}] = {name};");
                    }
                }
            }
        }
        WriteFunction(writer, plan, plan.Parameters, body.ToString());
    }

    /// <summary>
    /// The apply kernel of a split plan: every stage's row scalars from the row's statistics, then the last pass over
    /// this rank's shard (its stores), and for a backward the gradient partials.
    /// </summary>
    public void WalkApply(IndentedTextWriter writer, KernelPlan plan, StatisticsLayout layout)
    {
        rowLength = "length";
        Begin(plan);
        var body = new IndentedTextWriter();
        body.WriteLine($"const float* st = statistics + row * {Integer(layout.Columns)};");
        foreach (StatisticsStage stage in layout.Stages)
        {
            ReadGiven(body, plan.Passes[stage.Pass], layout);
        }
        Pass last = plan.Passes[plan.Passes.Count - 1];
        WriteDefinitions(body, last.Before);
        Sweep(body, plan, last, plan.Passes.Count - 1, rerunnable: false);
        WriteDefinitions(body, last.After);
        if (plan.Partials.Count > 0)
        {
            WritePartials(body, plan);
        }
        WriteFunction(writer, plan, plan.Parameters, body.ToString());
    }

    // A stage that ran before: its totals and scales from the statistics row, then the row scalars that follow it.
    private void ReadGiven(IndentedTextWriter writer, Pass pass, StatisticsLayout layout)
    {
        ReadColumns(writer, pass.Reductions.Select(r => r.Name).Concat(pass.Rescales.Select(r => r.Name)), layout);
        WriteDefinitions(writer, pass.After);
    }

    private static void ReadColumns(IndentedTextWriter writer, IEnumerable<string> names, StatisticsLayout layout)
    {
        foreach (string name in names)
        {
            writer.WriteLine($"const float {name} = st[{Integer(layout.ColumnOf[name])}];");
        }
    }

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    protected override void WritePartials(IndentedTextWriter writer, KernelPlan plan)
    {
        string row = plan.Rowwise ? "row" : Grouped ? "(pcg_size)(blockIdx.x / PCG_GROUPS)" : "(pcg_size)blockIdx.x";
        string group = Grouped ? "g * PCG_SLOTS + " : "";
        using (writer.Block("if (threadIdx.x == 0)"))
        {
            ExpressionCompiler.Compiled compiled = Compile("p_t", plan.Partials);
            WriteStatements(writer, compiled);
            for (int k = 0; k < plan.Partials.Count; k++)
            {
                writer.WriteLine($"partials[{row} * PCG_PARAMETERS + {group}{k.ToString(CultureInfo.InvariantCulture)}] = {compiled.Results[k]};");
            }
        }
    }
}
