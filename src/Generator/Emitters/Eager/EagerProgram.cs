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
/// the gradient partials summed to the parameters' gradient, dparameters. The same dialect for TorchSharp and PyTorch, so the two cannot
/// drift apart; it returns <paramref name="ret"/> of the spelled <paramref name="outputs"/>.
/// </summary>
/// <remarks>
/// With several <paramref name="groups"/> (elementwise plans only), each parameter is a vector over the last dimension,
/// its group's value repeated over the group's columns, and the gradient reductions sum per group.
/// </remarks>
internal sealed class EagerProgram(EagerTarget target, IReadOnlyList<ElementOutput> outputs, Func<IReadOnlyList<string>, string> ret, int groups = 1) : PlanWalker
{
    private readonly Dictionary<ElementOutput, string> stored = [];

    protected override Dialect Expressions => target;

    protected override string Spell(Variable variable) => target.Variable(variable);

    protected override void WriteFunction(IndentedTextWriter writer, KernelPlan plan, PlanParameters parameters, string body)
    {
        // What the body uses, declared first: the parameters one by one, h, the constants.
        foreach (Variable parameter in parameters.Parameters)
        {
            writer.WriteLine(groups > 1 ? target.SelectGroupedParameter(parameter.Name, parameter.Index, groups) : target.SelectParameter(parameter.Name, parameter.Index));
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
        if (plan.SlotReductions.Count > 0)
        {
            // A grouped norm plan's gradients: each slot's sums per group, as one vector group after group.
            writer.WriteLine(target.Declare(Gradient, target.StackGroups(plan.SlotReductions.Select(r => r.Name))));
        }
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
            string total = reduction.Slot is not null || (groups > 1 && !plan.Rowwise)
                ? target.GroupSum(compiled.Results[r], groups)
                : target.Reduce(reduction.Kind, plan.Rowwise, compiled.Results[r]);
            writer.WriteLine(rerunnable ? target.Assign(reduction.Name, total) : target.Declare(reduction.Name, total));
        }
        for (int s = 0; s < pass.Stores.Count; s++)
        {
            stored[pass.Stores[s].Output] = compiled.Results[pass.Reductions.Count + s];
        }
    }

    /// <summary>The name of the parameters' gradient, declared after the passes: an empty vector when there are no parameters.</summary>
    public const string Gradient = "dparameters";

    protected override void WritePartials(IndentedTextWriter writer, KernelPlan plan)
    {
        ExpressionCompiler.Compiled partials = Compile("p_t", plan.Partials);
        WriteStatements(writer, partials);
        writer.WriteLine(target.Declare(Gradient, groups > 1
            ? target.StackGroups(partials.Results)
            : target.Stack(partials.Results.Select(r => target.Reduce(ReductionKind.Sum, false, r)))));
    }
}
