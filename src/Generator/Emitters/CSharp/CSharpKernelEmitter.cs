using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.CSharp;

/// <summary>
/// Lowers a spec's forward and backward plans to C# CPU kernels on spans, for float and double: each pass is a
/// loop over System.Numerics.Vector&lt;T&gt; lanes (when every operation of the pass has a vector form) followed by a
/// scalar loop over the tail; reductions keep per-lane accumulators, summed in a fixed order. Norm kernels take
/// one row; elementwise kernels any run of elements.
/// </summary>
internal static class CSharpKernelEmitter
{
    public const string StructName = "PolyComKernels";

    private const string Span = "global::System.Span";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan";
    private const string Cast = "global::System.Runtime.InteropServices.MemoryMarshal.Cast";
    private const string PolyMath = "global::PolyComGen.Backends.Cpu.PolyMath";

    // Kernels are hot loops from their first call: compile them optimised at once rather than through tier 0.
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    /// <summary>The spans that hold each element input and each store, as the kernel signatures name them.</summary>
    private static readonly Dictionary<string, string> SpanOf = new()
    {
        [PlanNames.X] = "x", [PlanNames.Upstream] = "dy", [PlanNames.Gate] = "gate",
        [PlanNames.Output] = "y", [PlanNames.InputGradient] = "dx", [PlanNames.GateGradient] = "dgate",
    };

    public static void Emit(IndentedTextWriter writer, SpecModel spec, string className, KernelPlan forward, KernelPlan backward, KernelPlan eagerForward, KernelPlan eagerBackward)
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// The fused kernels of this spec: on spans for the CPU, as the runtime's CPU backend runs them (callable directly");
        writer.WriteLine("/// for data that is not in tensors), and as eager TorchSharp ops.");
        writer.WriteLine("/// </summary>");
        using (writer.Block($"public readonly struct {StructName} : global::PolyComGen.Contract.IPolyComKernel"))
        {
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine($"public static global::PolyComGen.Contract.KernelDescriptor Descriptor {{ get; }} = new(\"{className}\", {className}.Spec, rowwise: {Bool(forward.Rowwise)}, gated: {Bool(spec.Gated)}, {className}.CudaSource);");
            foreach (CSharpScalarDialect numeric in new[] { CSharpScalarDialect.Float, CSharpScalarDialect.Double })
            {
                string t = numeric.TypeName;
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc/>");
                writer.WriteLine(AggressiveOptimization);
                using (writer.Block($"public static void Forward({ReadOnlySpan}<{t}> x, {ReadOnlySpan}<{t}> gate, {Span}<{t}> y, {ReadOnlySpan}<{t}> weight, {t} bias)"))
                {
                    EmitKernel(writer, numeric, forward);
                }
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc/>");
                writer.WriteLine(AggressiveOptimization);
                using (writer.Block($"public static void Backward({ReadOnlySpan}<{t}> x, {ReadOnlySpan}<{t}> gate, {ReadOnlySpan}<{t}> dy, {Span}<{t}> dx, {Span}<{t}> dgate, {ReadOnlySpan}<{t}> weight, {t} bias, {Span}<{t}> partials)"))
                {
                    EmitKernel(writer, numeric, backward);
                }
            }
            writer.WriteLine();
            Eager.EagerEmitter.Emit(writer, spec, eagerForward, eagerBackward);
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static void EmitKernel(IndentedTextWriter writer, CSharpScalarDialect numeric, KernelPlan plan)
    {
        var used = new HashSet<string>(plan.Passes.SelectMany(p => p.ElementExpressions.Concat(p.Before.Concat(p.After).Select(a => a.Value))).Concat(plan.Partials).SelectMany(e => e.Variables()));
        var weights = used.Where(n => PlanNames.IsParameter(n) && n != PlanNames.Bias).OrderBy(n => int.Parse(n.Substring(1), CultureInfo.InvariantCulture)).ToList();
        if (weights.Count > 0)
        {
            writer.WriteLine($"{numeric.TypeName} {string.Join(", ", weights.Select(w => $"{w} = weight[{int.Parse(w.Substring(1), CultureInfo.InvariantCulture) - 1}]"))};");
        }
        if (used.Contains(PlanNames.RowLength))
        {
            writer.WriteLine($"{numeric.TypeName} h = x.Length;");
        }
        for (int p = 0; p < plan.Passes.Count; p++)
        {
            Pass pass = plan.Passes[p];
            if (pass.Reductions.Count > 0)
            {
                writer.WriteLine($"{numeric.TypeName} {string.Join(", ", pass.Reductions.Select(r => r.Name + " = 0"))};");
            }
            if (pass.Rescales.Count == 0)
            {
                EmitDefinitions(writer, numeric, pass.Before);
                EmitPass(writer, numeric, pass);
            }
            else
            {
                // Run with every scale 1; run again, scaled, only when a statistic overflowed (docs/math.md section 4).
                writer.WriteLine($"{numeric.TypeName} {string.Join(", ", pass.Rescales.Select(r => r.Name + " = 1"))};");
                using (writer.Block("for (int attempt = 0; ; attempt++)"))
                {
                    if (pass.Reductions.Count > 0)
                    {
                        writer.WriteLine(string.Join(" ", pass.Reductions.Select(r => r.Name + " = 0;")));
                    }
                    EmitDefinitions(writer, numeric, pass.Before);
                    EmitPass(writer, numeric, pass);
                    writer.WriteLine("if (attempt > 0) break;");
                    EmitDefinitions(writer, numeric, pass.Rescales.Select(r => r with { Name = r.Name + "_rescaled" }).ToList());
                    writer.WriteLine($"if ({string.Join(" && ", pass.Rescales.Select(r => r.Name + "_rescaled == 1"))}) break;");
                    foreach (Definition rescale in pass.Rescales)
                    {
                        writer.WriteLine($"{rescale.Name} = {rescale.Name}_rescaled;");
                    }
                }
            }
            EmitDefinitions(writer, numeric, pass.After);
        }
        for (int k = 0; k < plan.Partials.Count; k++)
        {
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(numeric, n => Spell(n, vector: false), $"p{k}_t", Lowering.ForCpu([plan.Partials[k]], numeric.IsFloat));
            foreach (string statement in compiled.Statements)
            {
                writer.WriteLine(statement);
            }
            writer.WriteLine($"partials[{k}] = {compiled.Results[0]};");
        }
    }

    // Row scalars, one after the other (each may use the ones before).
    private static void EmitDefinitions(IndentedTextWriter writer, CSharpScalarDialect numeric, IReadOnlyList<Definition> definitions)
    {
        foreach (Definition definition in definitions)
        {
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(numeric, n => Spell(n, vector: false), definition.Name + "_t", Lowering.ForCpu([definition.Value], numeric.IsFloat));
            foreach (string statement in compiled.Statements)
            {
                writer.WriteLine(statement);
            }
            writer.WriteLine($"{numeric.TypeName} {definition.Name} = {compiled.Results[0]};");
        }
    }

    // The running total of a sum reduction, as a variable, so that adding a term lowers to a fused multiply-add.
    private static string Accumulator(Reduction reduction) => "acc:" + reduction.Name;

    // How a plan variable is spelled inside a loop: element values as locals, the bias as its parameter, and
    // loop-invariant scalars as themselves, or, in the vector loop, as their splat.
    private static string Spell(string name, bool vector, string lanes = "_lanes") => name switch
    {
        _ when name.StartsWith("acc:", StringComparison.Ordinal) => vector ? name.Substring(4) + lanes : name.Substring(4),
        PlanNames.X => "vx",
        PlanNames.Upstream => "vg",
        PlanNames.Gate => "vgate",
        PlanNames.Bias => vector ? "biasv" : "bias",
        _ => vector ? name + "v" : name,
    };

    /// <summary>
    /// One pass over the segment: the vector loop when every operation has a vector form, then the scalar tail.
    /// The order of every addition is fixed by the segment's length alone, so results do not depend on threads.
    /// </summary>
    private static void EmitPass(IndentedTextWriter writer, CSharpScalarDialect numeric, Pass pass)
    {
        CSharpVectorDialect vectorDialect = numeric.IsFloat ? CSharpVectorDialect.Float : CSharpVectorDialect.Double;
        // Sums accumulate as acc + term, so that a product term becomes one fused multiply-add.
        IReadOnlyList<Expr> roots = Lowering.ForCpu(
            pass.Reductions.Select(r => r.Kind == ReductionKind.Sum ? Expr.Var(Accumulator(r)) + r.Term : r.Term).Concat(pass.Stores.Select(s => s.Value)).ToList(),
            numeric.IsFloat);
        IReadOnlyList<string> inputs = KernelPlan.InputsOf(pass);
        var spans = inputs.Select(n => SpanOf[n]).Concat(pass.Stores.Select(s => SpanOf[s.Name])).ToList();
        var broadcast = roots.SelectMany(e => e.Variables()).Distinct().Where(n => !PlanNames.IsElement(n) && !n.StartsWith("acc:", StringComparison.Ordinal)).ToList();
        bool vectorise = roots.All(e => ExpressionCompiler.Supports(vectorDialect, e));
        string vectorType = vectorDialect.TypeName;

        using (writer.Block(""))
        {
            writer.WriteLine("int i = 0;");
            if (vectorise)
            {
                using (writer.Block(""))
                {
                    foreach (string span in spans)
                    {
                        writer.WriteLine($"var {span}v = {Cast}<{numeric.TypeName}, {vectorType}>({span});");
                    }
                    foreach (string name in broadcast)
                    {
                        writer.WriteLine($"{vectorType} {Spell(name, vector: true)} = new({Spell(name, vector: false)});");
                    }
                    // Two sets of lane accumulators, for even and odd vectors: a sum's chain of dependent additions
                    // would otherwise bound the loop by the adder's latency rather than by memory.
                    string[] sets = pass.Reductions.Count > 0 ? ["_lanes", "_lanes2"] : ["_lanes"];
                    foreach (Reduction reduction in pass.Reductions)
                    {
                        writer.WriteLine($"{vectorType} {string.Join(", ", sets.Select(set => $"{reduction.Name}{set} = {vectorType}.Zero"))};");
                    }
                    void Element(string index, string set) =>
                        EmitElement(writer, vectorDialect, pass, roots, inputs, n => Spell(n, vector: true, set), span => $"{span}v[{index}]", vectorType,
                            (reduction, value) => reduction.Kind == ReductionKind.Sum
                                ? $"{reduction.Name}{set} = {value};"
                                : $"{reduction.Name}{set} = global::System.Numerics.Vector.Max({reduction.Name}{set}, {value});");
                    writer.WriteLine("int j = 0;");
                    if (sets.Length == 2)
                    {
                        using (writer.Block($"for (; j + 1 < {spans[0]}v.Length; j += 2)"))
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
                        using (writer.Block($"if (j < {spans[0]}v.Length)"))
                        {
                            Element("j", sets[0]);
                        }
                    }
                    else
                    {
                        using (writer.Block($"for (; j < {spans[0]}v.Length; j++)"))
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
                    writer.WriteLine($"i = {spans[0]}v.Length * {vectorType}.Count;");
                }
            }
            using (writer.Block($"for (; i < {spans[0]}.Length; i++)"))
            {
                EmitElement(writer, numeric, pass, roots, inputs, n => Spell(n, vector: false), span => $"{span}[i]", numeric.TypeName,
                    (reduction, value) => reduction.Kind == ReductionKind.Sum
                        ? $"{reduction.Name} = {value};"
                        : $"{reduction.Name} = {PolyMath}.Max({reduction.Name}, {value});");
            }
        }
    }

    private static void EmitElement(
        IndentedTextWriter writer, Dialect dialect, Pass pass, IReadOnlyList<Expr> roots, IReadOnlyList<string> inputs, Func<string, string> spell,
        Func<string, string> element, string type, Func<Reduction, string, string> accumulate)
    {
        foreach (string input in inputs)
        {
            writer.WriteLine($"{type} {Spell(input, vector: false)} = {element(SpanOf[input])};");
        }
        ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(dialect, spell, "t", roots);
        foreach (string statement in compiled.Statements)
        {
            writer.WriteLine(statement);
        }
        for (int r = 0; r < pass.Reductions.Count; r++)
        {
            writer.WriteLine(accumulate(pass.Reductions[r], compiled.Results[r]));
        }
        for (int s = 0; s < pass.Stores.Count; s++)
        {
            writer.WriteLine($"{element(SpanOf[pass.Stores[s].Name])} = {compiled.Results[pass.Reductions.Count + s]};");
        }
    }
}
