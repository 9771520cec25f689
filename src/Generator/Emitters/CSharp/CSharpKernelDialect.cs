using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.CSharp;

/// <summary>
/// How a C# CPU kernel on spans spells a plan's walk, in float or double: each sweep is a loop over
/// System.Numerics.Vector&lt;T&gt; lanes (when every operation of the pass has a vector form) followed by a scalar
/// loop over the tail; reductions keep per-lane accumulators, summed in a fixed order. A rowwise plan with groups of
/// columns sweeps each group's run of the row in turn, with that group's parameters (<see cref="GroupLoop"/>).
/// </summary>
/// <param name="groups">The groups of the spec's parameters (only rowwise kernels see more than one: the CPU backend
/// calls elementwise kernels with one group's run and parameters at a time).</param>
internal sealed class CSharpKernelDialect(CSharpScalarDialect numeric, int groups = 1) : PlanWalker
{
    // Whether this plan's kernel sweeps groups of columns itself.
    private bool Grouped(KernelPlan plan) => groups > 1 && plan.Rowwise;

    private const string Cast = "global::System.Runtime.InteropServices.MemoryMarshal.Cast";
    private const string PolyMath = "global::PolyComGen.Backends.Cpu.PolyMath";

    protected override Dialect Expressions => numeric;

    protected override string Spell(Variable variable) => Spell(variable, vector: false);

    protected override IReadOnlyList<Expr> Lower(IReadOnlyList<Expr> roots) => Lowering.ForCpu(roots, numeric.IsFloat);

    // The span of each element input and output, as the kernel signatures name them.
    private static string SpanOf(Variable input) => input.Role switch
    {
        VariableRole.Input => "x",
        VariableRole.Upstream => "dy",
        VariableRole.Kept => KeptSpan(input.Index),
        _ => "gate",
    };

    // Row buffer k (Composition.RowBuffers): a span of the kernel's rented buffer.
    private static string KeptSpan(int k) => "kept" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string SpanOf(ElementOutput output) => output switch
    {
        ElementOutput.Y => "y",
        ElementOutput.Dx => "dx",
        _ => "dgate",
    };

    // Element values as locals, accumulators as their totals (per lane in the vector loop),
    // and loop-invariant scalars as themselves, or, in the vector loop, as their splat.
    private static string Spell(Variable variable, bool vector, string lanes = "_lanes") => variable.Role switch
    {
        VariableRole.Accumulator => vector ? variable.Name + lanes : variable.Name,
        VariableRole.Input => "vx",
        VariableRole.Upstream => "vg",
        VariableRole.Gate => "vgate",
        VariableRole.Kept => "v" + variable.Name,
        _ => vector ? variable.Name + "v" : variable.Name,
    };

    protected override void WriteFunction(IndentedTextWriter writer, KernelPlan plan, PlanParameters parameters, string body)
    {
        if (parameters.Parameters.Count > 0)
        {
            // With groups, each group's values are read at the start of its run (GroupLoop).
            writer.WriteLine(Grouped(plan)
                ? $"{numeric.TypeName} {string.Join(", ", parameters.Parameters.Select(p => $"{p.Name} = 0"))};"
                : $"{numeric.TypeName} {string.Join(", ", parameters.Parameters.Select(p => $"{p.Name} = parameters[{p.Index}]"))};");
        }
        if (Grouped(plan))
        {
            writer.WriteLine($"int gl = x.Length / {groups};");
        }
        if (parameters.RowLength)
        {
            writer.WriteLine($"{numeric.TypeName} {PlanVariables.RowLength.Name} = x.Length;");
        }
        int buffers = plan.Passes.Sum(p => p.Keep.Count);
        if (buffers == 0)
        {
            writer.WriteVerbatimLines(body);
            return;
        }
        // The row buffers, in one array from the shared pool: a few KiB per row, which stay in the core's cache between sweeps.
        writer.WriteLine($"{numeric.TypeName}[] rowBuffers = global::System.Buffers.ArrayPool<{numeric.TypeName}>.Shared.Rent({buffers} * x.Length);");
        using (writer.Block("try"))
        {
            for (int k = 0; k < buffers; k++)
            {
                writer.WriteLine($"global::System.Span<{numeric.TypeName}> {KeptSpan(k)} = new(rowBuffers, {k} * x.Length, x.Length);");
            }
            writer.WriteVerbatimLines(body);
        }
        using (writer.Block("finally"))
        {
            writer.WriteLine($"global::System.Buffers.ArrayPool<{numeric.TypeName}>.Shared.Return(rowBuffers);");
        }
    }

    protected override void BeginPass(IndentedTextWriter writer, Pass pass)
    {
        if (pass.Reductions.Count > 0)
        {
            writer.WriteLine($"{numeric.TypeName} {string.Join(", ", pass.Reductions.Select(r => r.Name + " = 0"))};");
        }
        if (pass.Rescales.Count > 0)
        {
            writer.WriteLine($"{numeric.TypeName} {string.Join(", ", pass.Rescales.Select(r => r.Name + " = 1"))};");
        }
    }

    protected override void BeginRun(IndentedTextWriter writer, Pass pass)
    {
        if (pass.Reductions.Count > 0)
        {
            writer.WriteLine(string.Join(" ", pass.Reductions.Select(r => r.Name + " = 0;")));
        }
    }

    protected override IDisposable Runs(IndentedTextWriter writer) => writer.Block("for (int attempt = 0; ; attempt++)");

    /// <summary>
    /// The loop over the groups of a rowwise plan: group g's run is x[g gl, (g + 1) gl) with gl = H / groups, its
    /// parameters parameters[g slots ...]; the pass's group sums start at 0 and end in partials[g slots + slot].
    /// </summary>
    protected override IDisposable? GroupLoop(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index)
    {
        if (!Grouped(plan))
        {
            return null;
        }
        var loop = writer.Block($"for (int g = 0; g < {groups}; g++)");
        writer.WriteLine("int gs = g * gl;");
        foreach (Variable parameter in plan.Parameters.Parameters)
        {
            writer.WriteLine($"{parameter.Name} = parameters[g * (parameters.Length / {groups}) + {parameter.Index}];");
        }
        var sums = pass.Reductions.Where(r => r.Slot is not null).ToList();
        if (sums.Count > 0)
        {
            writer.WriteLine(string.Join(" ", sums.Select(r => r.Name + " = 0;")));
        }
        return new Closing(() =>
        {
            foreach (Reduction sum in sums)
            {
                writer.WriteLine($"partials[g * (partials.Length / {groups}) + {sum.Slot}] = {sum.Name};");
            }
            loop.Dispose();
        });
    }

    protected override void StopAfterRerun(IndentedTextWriter writer) => writer.WriteLine("if (attempt > 0) break;");

    protected override void StopIfUnscaled(IndentedTextWriter writer, IReadOnlyList<string> scales) =>
        writer.WriteLine($"if ({string.Join(" && ", scales.Select(s => s + " == 1"))}) break;");

    protected override void WritePartials(IndentedTextWriter writer, KernelPlan plan)
    {
        for (int k = 0; k < plan.Partials.Count; k++)
        {
            ExpressionCompiler.Compiled compiled = Compile($"p{k}_t", [plan.Partials[k]]);
            WriteStatements(writer, compiled);
            writer.WriteLine($"partials[{k}] = {compiled.Results[0]};");
        }
    }

    /// <summary>
    /// One pass over the segment: the vector loop when every operation has a vector form, then the scalar tail.
    /// The order of every addition is fixed by the segment's length alone, so results do not depend on threads.
    /// </summary>
    protected override void Sweep(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index, bool rerunnable)
    {
        CSharpVectorDialect vectorDialect = numeric.IsFloat ? CSharpVectorDialect.Float : CSharpVectorDialect.Double;
        // Inside the group loop of a grouped rowwise plan (GroupLoop), each span is sliced to the group's run: xg, yg ...
        bool slicing = Grouped(plan);
        string Of(string span) => slicing ? span + "g" : span;
        // Sums accumulate as acc + term, so that a product term becomes one fused multiply-add.
        IReadOnlyList<Expr> roots = Lower(
            pass.Reductions.Select(r => r.Kind == ReductionKind.Sum ? PlanVariables.Accumulator(r.Name) + r.Term : r.Term).Concat(pass.Stores.Select(s => s.Value)).Concat(pass.Keep).ToList());
        // The element inputs, then the values earlier sweeps kept, in buffer order.
        IReadOnlyList<Variable> inputs = KernelPlan.InputsOf(pass)
            .Concat(pass.ElementExpressions.SelectMany(e => e.VariableNodes()).Where(v => v.Role == VariableRole.Kept).Distinct().OrderBy(v => v.Index)).ToList();
        var spans = inputs.Select(SpanOf).Concat(pass.Stores.Select(s => SpanOf(s.Output))).Concat(pass.Keep.Select((_, k) => KeptSpan(k))).ToList();
        var broadcast = roots.SelectMany(e => e.VariableNodes()).Distinct().Where(v => !v.IsElement && v.Role != VariableRole.Accumulator).ToList();
        bool vectorise = roots.All(e => ExpressionCompiler.Supports(vectorDialect, e));
        string vectorType = vectorDialect.TypeName;

        using (writer.Block(""))
        {
            if (slicing)
            {
                foreach (string span in spans)
                {
                    writer.WriteLine($"var {Of(span)} = {span}.Slice(gs, gl);");
                }
            }
            writer.WriteLine("int i = 0;");
            if (vectorise)
            {
                using (writer.Block(""))
                {
                    foreach (string span in spans)
                    {
                        writer.WriteLine($"var {Of(span)}v = {Cast}<{numeric.TypeName}, {vectorType}>({Of(span)});");
                    }
                    foreach (Variable variable in broadcast)
                    {
                        writer.WriteLine($"{vectorType} {Spell(variable, vector: true)} = new({Spell(variable, vector: false)});");
                    }
                    // Two sets of lane accumulators, for even and odd vectors: a sum's chain of dependent additions
                    // would otherwise bound the loop by the adder's latency rather than by memory.
                    string[] sets = pass.Reductions.Count > 0 ? ["_lanes", "_lanes2"] : ["_lanes"];
                    foreach (Reduction reduction in pass.Reductions)
                    {
                        writer.WriteLine($"{vectorType} {string.Join(", ", sets.Select(set => $"{reduction.Name}{set} = {vectorType}.Zero"))};");
                    }
                    void Element(string at, string set) =>
                        WriteElement(writer, vectorDialect, pass, roots, inputs, v => Spell(v, vector: true, set), span => $"{Of(span)}v[{at}]", vectorType,
                            (reduction, value) => reduction.Kind == ReductionKind.Sum
                                ? $"{reduction.Name}{set} = {value};"
                                : $"{reduction.Name}{set} = global::System.Numerics.Vector.Max({reduction.Name}{set}, {value});");
                    writer.WriteLine("int j = 0;");
                    if (sets.Length == 2)
                    {
                        using (writer.Block($"for (; j + 1 < {Of(spans[0])}v.Length; j += 2)"))
                        {
                            using (writer.Block(""))
                            {
                                Element("j", sets[0]);
                            }
                            using (writer.Block(""))
                            {
                                Element("j + 1", sets[1]);
                            }
                        }
                        using (writer.Block($"if (j < {Of(spans[0])}v.Length)"))
                        {
                            Element("j", sets[0]);
                        }
                    }
                    else
                    {
                        using (writer.Block($"for (; j < {Of(spans[0])}v.Length; j++)"))
                        {
                            Element("j", sets[0]);
                        }
                    }
                    foreach (Reduction reduction in pass.Reductions)
                    {
                        writer.WriteLine(reduction.Kind == ReductionKind.Sum
                            ? $"{reduction.Name} += global::System.Numerics.Vector.Sum({reduction.Name}_lanes + {reduction.Name}_lanes2);"
                            : $"{reduction.Name} = {PolyMath}.Max({reduction.Name}, {PolyMath}.MaxAcross(global::System.Numerics.Vector.Max({reduction.Name}_lanes, {reduction.Name}_lanes2)));");
                    }
                    writer.WriteLine($"i = {Of(spans[0])}v.Length * {vectorType}.Count;");
                }
            }
            using (writer.Block($"for (; i < {Of(spans[0])}.Length; i++)"))
            {
                WriteElement(writer, numeric, pass, roots, inputs, v => Spell(v, vector: false), span => $"{Of(span)}[i]", numeric.TypeName,
                    (reduction, value) => reduction.Kind == ReductionKind.Sum
                        ? $"{reduction.Name} = {value};"
                        : $"{reduction.Name} = {PolyMath}.Max({reduction.Name}, {value});");
            }
        }
    }

    private void WriteElement(
        IndentedTextWriter writer, Dialect dialect, Pass pass, IReadOnlyList<Expr> roots, IReadOnlyList<Variable> inputs, Func<Variable, string> spell,
        Func<string, string> element, string type, Func<Reduction, string, string> accumulate)
    {
        foreach (Variable input in inputs)
        {
            writer.WriteLine($"{type} {Spell(input, vector: false)} = {element(SpanOf(input))};");
        }
        ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(dialect, spell, Names.Prefix("t"), roots);
        WriteStatements(writer, compiled);
        for (int r = 0; r < pass.Reductions.Count; r++)
        {
            writer.WriteLine(accumulate(pass.Reductions[r], compiled.Results[r]));
        }
        for (int s = 0; s < pass.Stores.Count; s++)
        {
            writer.WriteLine($"{element(SpanOf(pass.Stores[s].Output))} = {compiled.Results[pass.Reductions.Count + s]};");
        }
        for (int k = 0; k < pass.Keep.Count; k++)
        {
            writer.WriteLine($"{element(KeptSpan(k))} = {compiled.Results[pass.Reductions.Count + pass.Stores.Count + k]};");
        }
    }
}
