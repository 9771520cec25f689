using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// Eager TorchSharp ops, tensor-tensor only: constants become 0-dimensional tensors in the input's dtype and
/// device, and + goes through a helper with a long-lived alpha, so that no Scalar temporary is ever passed to
/// native code (TorchSharp does not keep such temporaries alive across the call).
/// </summary>
internal sealed class EagerDialect : Dialect
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    private readonly List<double> constants = [];

    /// <summary>The constants used so far; constant i is spelled k{i}.</summary>
    public IReadOnlyList<double> Constants => constants;

    public override string Constant(double value)
    {
        int index = constants.IndexOf(value);
        if (index < 0)
        {
            constants.Add(value);
            index = constants.Count - 1;
        }
        return "k" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.Eager, arguments);

    public override string Declare(string name, string value) => $"{Tensor} {name} = {value};";

    /// <summary>The literal of a constant, as a C# double.</summary>
    public static string Literal(double value) => RealLiteral(value);
}

/// <summary>
/// Writes a spec's plans as eager TorchSharp code on the kernel type: <c>EagerForward</c>, the paper's formula (no
/// row scaling), which autograd differentiates, for reference and comparison; and <c>EagerBackward</c>, the fused
/// backward's closed forms as differentiable ops, which the autograd function runs when a graph of the gradients
/// is wanted (create_graph: gradient penalties, Hessian-vector products).
/// </summary>
internal static class EagerEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Math = "global::PolyComGen.Eager.EagerMath";

    public static void Emit(IndentedTextWriter writer, SpecModel spec, KernelPlan forward, KernelPlan backward)
    {
        writer.WriteLine("/// <inheritdoc/>");
        using (writer.Block($"public static {Tensor} EagerForward({Tensor} x, {Tensor}? gate, {Tensor} weight, {Tensor} bias)"))
        {
            EmitBody(writer, forward, [PlanNames.Output], body => $"return {body[0]}.MoveToOuterDisposeScope();");
        }
        writer.WriteLine();
        writer.WriteLine("/// <inheritdoc/>");
        using (writer.Block($"public static ({Tensor} Dx, {Tensor} Dweight, {Tensor} Dbias, {Tensor}? Dgate) EagerBackward({Tensor} x, {Tensor}? gate, {Tensor} dy, {Tensor} weight, {Tensor} bias)"))
        {
            string[] stores = spec.Gated ? [PlanNames.InputGradient, PlanNames.GateGradient] : [PlanNames.InputGradient];
            EmitBody(writer, backward, stores, body =>
                $"return ({body[0]}.MoveToOuterDisposeScope(), dweight.MoveToOuterDisposeScope(), dbias.MoveToOuterDisposeScope(), {(spec.Gated ? body[1] + ".MoveToOuterDisposeScope()" : "null")});");
        }
    }

    private static void EmitBody(IndentedTextWriter writer, KernelPlan plan, IReadOnlyList<string> stores, System.Func<IReadOnlyList<string>, string> ret)
    {
        var dialect = new EagerDialect();
        var body = new IndentedTextWriter();
        string Spell(string name) => name switch
        {
            PlanNames.Upstream => "dy",
            PlanNames.Gate => "gate!",
            PlanNames.Bias => "bias",
            _ => name,
        };
        var stored = new Dictionary<string, string>();
        void EmitDefinitions(IReadOnlyList<Definition> definitions)
        {
            foreach (Definition definition in definitions)
            {
                ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(dialect, Spell, definition.Name + "_t", [definition.Value]);
                foreach (string statement in value.Statements)
                {
                    body.WriteLine(statement);
                }
                body.WriteLine($"{Tensor} {definition.Name} = {value.Results[0]};");
            }
        }
        string Combine(ReductionKind kind) => (kind, plan.Rowwise) switch
        {
            (ReductionKind.Sum, true) => "RowSum",
            (ReductionKind.Sum, false) => "Total",
            (ReductionKind.Max, true) => "RowMax",
            _ => "TotalMax",
        };
        // The scales of a pass that decides them (docs/math.md section 4): its reductions with every scale 1, in a
        // block of their own, then the scales. Eager ops need no branch: the pass then runs with those scales.
        void EmitRescales(Pass pass, int p)
        {
            foreach (Definition rescale in pass.Rescales)
            {
                body.WriteLine($"{Tensor} {rescale.Name} = {dialect.Constant(1)};");
            }
            var needed = pass.Reductions.Where(r => pass.Rescales.Any(d => d.Value.DependsOn(r.Name))).ToList();
            // In the block, the pass's invariants and the needed reductions have names of their own: the pass proper
            // declares the same names after it.
            var renamed = new HashSet<string>(needed.Select(r => r.Name).Concat(pass.Before.Select(d => d.Name)));
            string First(string name) => renamed.Contains(name) ? "unscaled_" + name : Spell(name);
            using (body.Block(""))
            {
                foreach (Definition invariant in pass.Before)
                {
                    ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(dialect, First, "unscaled_" + invariant.Name + "_t", [invariant.Value]);
                    foreach (string statement in value.Statements)
                    {
                        body.WriteLine(statement);
                    }
                    body.WriteLine($"{Tensor} unscaled_{invariant.Name} = {value.Results[0]};");
                }
                ExpressionCompiler.Compiled terms = ExpressionCompiler.Compile(dialect, First, $"u{p}_", needed.Select(r => r.Term).ToList());
                foreach (string statement in terms.Statements)
                {
                    body.WriteLine(statement);
                }
                for (int r = 0; r < needed.Count; r++)
                {
                    body.WriteLine($"{Tensor} unscaled_{needed[r].Name} = {Math}.{Combine(needed[r].Kind)}({terms.Results[r]});");
                }
                foreach (Definition rescale in pass.Rescales)
                {
                    ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(dialect, First, rescale.Name + "_t", [rescale.Value]);
                    foreach (string statement in value.Statements)
                    {
                        body.WriteLine(statement);
                    }
                    body.WriteLine($"{rescale.Name} = {value.Results[0]};");
                }
            }
        }
        for (int p = 0; p < plan.Passes.Count; p++)
        {
            Pass pass = plan.Passes[p];
            if (pass.Rescales.Count > 0)
            {
                EmitRescales(pass, p);
            }
            EmitDefinitions(pass.Before);
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(dialect, Spell, $"t{p}_", pass.ElementExpressions);
            foreach (string statement in compiled.Statements)
            {
                body.WriteLine(statement);
            }
            for (int r = 0; r < pass.Reductions.Count; r++)
            {
                Reduction reduction = pass.Reductions[r];
                body.WriteLine($"{Tensor} {reduction.Name} = {Math}.{Combine(reduction.Kind)}({compiled.Results[r]});");
            }
            for (int s = 0; s < pass.Stores.Count; s++)
            {
                stored[pass.Stores[s].Name] = compiled.Results[pass.Reductions.Count + s];
            }
            EmitDefinitions(pass.After);
        }
        if (plan.Partials.Count > 0)
        {
            ExpressionCompiler.Compiled partials = ExpressionCompiler.Compile(dialect, Spell, "p_t", plan.Partials);
            foreach (string statement in partials.Statements)
            {
                body.WriteLine(statement);
            }
            int order = plan.Partials.Count - 1;
            body.WriteLine($"{Tensor} dweight = {Math}.Stack({string.Join(", ", partials.Results.Take(order).Select(r => $"{Math}.Total({r})"))});");
            body.WriteLine($"{Tensor} dbias = {Math}.Stack({Math}.Total({partials.Results[order]}));");
        }
        body.WriteLine(ret(stores.Select(s => stored[s]).ToList()));

        writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
        var used = new HashSet<string>(plan.Passes.SelectMany(p => p.ElementExpressions.Concat(p.Before.Concat(p.After).Select(a => a.Value))).Concat(plan.Partials).SelectMany(e => e.Variables()));
        foreach (string weight in used.Where(n => PlanNames.IsParameter(n) && n != PlanNames.Bias).OrderBy(n => n.Length).ThenBy(n => n, System.StringComparer.Ordinal))
        {
            writer.WriteLine($"{Tensor} {weight} = weight.select(0, {int.Parse(weight.Substring(1), System.Globalization.CultureInfo.InvariantCulture) - 1});");
        }
        if (used.Contains(PlanNames.RowLength))
        {
            writer.WriteLine($"{Tensor} h = {Math}.Constant(x.shape[^1], x);");
        }
        for (int i = 0; i < dialect.Constants.Count; i++)
        {
            writer.WriteLine($"{Tensor} k{i} = {Math}.Constant({EagerDialect.Literal(dialect.Constants[i])}, x);");
        }
        writer.WriteVerbatimLines(body.ToString());
    }
}
