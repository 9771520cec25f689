using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// How eager tensor ops spell a plan's walk, for autograd to differentiate: whole tensors instead of sweeps, the
/// per-element expressions with common subexpressions shared, reductions over the last dimension for rowwise plans,
/// the gradient partials summed to dweight and dbias. The same dialect for TorchSharp and PyTorch, so the two cannot
/// drift apart; it returns <paramref name="ret"/> of the spelled <paramref name="outputs"/>.
/// </summary>
internal sealed class EagerProgram(EagerTarget target, IReadOnlyList<ElementOutput> outputs, Func<IReadOnlyList<string>, string> ret) : PlanWalker
{
    private readonly Dictionary<ElementOutput, string> stored = [];

    protected override Dialect Expressions => target;

    protected override string Spell(Variable variable) => target.Variable(variable);

    protected override void WriteFunction(IndentedTextWriter writer, KernelPlan plan, PlanParameters parameters, string body)
    {
        // What the body uses, declared first: the weights one by one, h, the constants.
        foreach (Variable weight in parameters.Weights)
        {
            writer.WriteLine(target.SelectWeight(weight.Name, weight.Index - 1));
        }
        if (parameters.RowLength)
        {
            writer.WriteLine(target.RowLength(PlanVariables.RowLength.Name));
        }
        for (int i = 0; i < target.Constants.Count; i++)
        {
            writer.WriteLine(target.ConstantDeclaration("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), target.Constants[i]));
        }
        writer.WriteVerbatimLines(body);
        writer.WriteLine(ret(outputs.Select(o => stored[o]).ToList()));
    }

    protected override void BeginPass(IndentedTextWriter writer, Pass pass)
    {
        if (pass.Rescales.Count == 0)
        {
            return;
        }
        foreach (Definition scale in pass.Rescales)
        {
            writer.WriteLine(target.Declare(scale.Name, target.Constant(1)));
        }
        foreach (Reduction reduction in pass.Reductions)
        {
            if (target.DeclareUnassigned(reduction.Name) is string declaration)
            {
                writer.WriteLine(declaration);
            }
        }
    }

    protected override IDisposable Runs(IndentedTextWriter writer) => target.Loop(writer);

    protected override void StopAfterRerun(IndentedTextWriter writer) => target.BreakIf(writer, "attempt > 0");

    protected override void StopIfUnscaled(IndentedTextWriter writer, IReadOnlyList<string> scales) => target.BreakIf(writer, target.AllOne(scales));

    protected override void Sweep(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index, bool rerunnable)
    {
        ExpressionCompiler.Compiled compiled = Compile($"t{index}_", pass.ElementExpressions);
        WriteStatements(writer, compiled);
        for (int r = 0; r < pass.Reductions.Count; r++)
        {
            Reduction reduction = pass.Reductions[r];
            string total = target.Reduce(reduction.Kind, plan.Rowwise, compiled.Results[r]);
            writer.WriteLine(rerunnable ? target.Assign(reduction.Name, total) : target.Declare(reduction.Name, total));
        }
        for (int s = 0; s < pass.Stores.Count; s++)
        {
            stored[pass.Stores[s].Output] = compiled.Results[pass.Reductions.Count + s];
        }
    }

    protected override void WritePartials(IndentedTextWriter writer, KernelPlan plan)
    {
        ExpressionCompiler.Compiled partials = Compile("p_t", plan.Partials);
        WriteStatements(writer, partials);
        int order = plan.Partials.Count - 1;
        writer.WriteLine(target.Declare("dweight", target.Stack(partials.Results.Take(order).Select(r => target.Reduce(ReductionKind.Sum, false, r)))));
        writer.WriteLine(target.Declare("dbias", target.Stack([target.Reduce(ReductionKind.Sum, false, partials.Results[order])])));
    }
}
