using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters;

/// <summary>
/// The one walk of a kernel plan, shared by every target (the C# CPU kernels, the CUDA device functions, eager
/// TorchSharp and PyTorch ops): the parameters the plan reads, then pass after pass its declarations, loop
/// invariants, sweep and row scalars, with the rerun of a pass that decides its own scales (norm's overflow guard,
/// docs/math.md section 4), then the gradient partials. A target derives from this and says only how it spells
/// each step, as Halide's and TVM's C printers do for their GPU targets.
/// </summary>
/// <remarks>
/// The rerun, whatever the target: every scale starts at 1; the pass runs; on its second run the walk stops;
/// otherwise the scales the statistics need are computed, and if all are 1 the walk stops, else the pass runs
/// again with them. Row scalars are declared with the target's <see cref="Dialect.Declare"/> after being compiled
/// with common subexpressions shared (<see cref="ExpressionCompiler"/>).
/// </remarks>
internal abstract class PlanWalker
{
    /// <summary>How the target spells constants, operations, declarations and assignments.</summary>
    protected abstract Dialect Expressions { get; }

    /// <summary>How the target spells a variable outside a sweep (row scalars, parameters, the row length).</summary>
    protected abstract string Spell(Variable variable);

    /// <summary>The roots as the target evaluates them (the C# kernels contract multiply-adds); unchanged by default.</summary>
    protected virtual IReadOnlyList<Expr> Lower(IReadOnlyList<Expr> roots) => roots;

    /// <summary>
    /// Writes the function around the walked <paramref name="body"/>: what it reads of <paramref name="parameters"/>
    /// first, then the body (inside a loop over rows, where the target has one), then anything that must follow it.
    /// </summary>
    protected abstract void WriteFunction(IndentedTextWriter writer, KernelPlan plan, PlanParameters parameters, string body);

    /// <summary>What a pass declares before it runs: its reductions' totals, and its scales (each 1) when it decides them.</summary>
    protected abstract void BeginPass(IndentedTextWriter writer, Pass pass);

    /// <summary>What each run of a pass that may rerun does first (the C# kernels zero their totals); nothing by default.</summary>
    protected virtual void BeginRun(IndentedTextWriter writer, Pass pass)
    {
    }

    /// <summary>
    /// The sweep of pass <paramref name="index"/> over the segment: its element expressions, reductions and stores. When
    /// <paramref name="rerunnable"/>, its reductions are assigned to the totals <see cref="BeginPass"/> declared.
    /// </summary>
    protected abstract void Sweep(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index, bool rerunnable);

    /// <summary>
    /// For the rowwise plan of a spec with groups of columns: opens the loop over the groups around a pass's invariants
    /// and sweep (each group with its own parameters), and disposing the result writes the pass's group sums
    /// (<see cref="Reduction.Slot"/>) to the group's partials and closes it. Null (no loop) by default.
    /// </summary>
    protected virtual IDisposable? GroupLoop(IndentedTextWriter writer, KernelPlan plan, Pass pass, int index) => null;

    /// <summary>The loop of a pass that may rerun: disposing the result closes it.</summary>
    protected abstract IDisposable Runs(IndentedTextWriter writer);

    /// <summary>Leaves the loop after the second run.</summary>
    protected abstract void StopAfterRerun(IndentedTextWriter writer);

    /// <summary>Leaves the loop when every one of the newly computed <paramref name="scales"/> is 1.</summary>
    protected abstract void StopIfUnscaled(IndentedTextWriter writer, IReadOnlyList<string> scales);

    /// <summary>Writes the plan's gradient partials (dweight, then dbias), from the row scalars of the passes.</summary>
    protected abstract void WritePartials(IndentedTextWriter writer, KernelPlan plan);

    // The hooks of split plans (tensor parallelism, TensorParallelSplit): only a target that launches them spells them.

    /// <summary>Where the row's statistics are, before the first pass of a split plan.</summary>
    protected virtual void BeginStatistics(IndentedTextWriter writer, StatisticsRow statistics) => throw SplitPlansUnsupported();

    /// <summary>The passes of one stage of a statistics kernel, which a launch runs alone: disposing the result closes them.</summary>
    protected virtual IDisposable StageBlock(IndentedTextWriter writer, int stage) => throw SplitPlansUnsupported();

    /// <summary>A row scalar read from its column of the row's statistics.</summary>
    protected virtual void ReadGiven(IndentedTextWriter writer, StatisticColumn column) => throw SplitPlansUnsupported();

    /// <summary>A pass's totals and scales written to their columns of the row's statistics, once per row.</summary>
    protected virtual void Publish(IndentedTextWriter writer, IReadOnlyList<StatisticColumn> columns) => throw SplitPlansUnsupported();

    /// <summary>The scales of a pass that takes them given: each 1, for a first run.</summary>
    protected virtual void DeclareScales(IndentedTextWriter writer, IReadOnlyList<string> scales) => throw SplitPlansUnsupported();

    /// <summary>What runs when the launch asks for the run with the scales of the given statistics: disposing the result closes it.</summary>
    protected virtual IDisposable RescaledRun(IndentedTextWriter writer) => throw SplitPlansUnsupported();

    private Exception SplitPlansUnsupported() => new NotSupportedException($"{GetType().Name} does not lower split plans (tensor parallelism).");

    /// <summary>The spellings the walk of the current plan makes up, which never meet the plan's own.</summary>
    protected NameSupply Names { get; private set; } = new([]);

    /// <summary>The identifiers the target writes itself in every function (loop indices, pointers, buffers); none by default.</summary>
    protected virtual IEnumerable<string> FixedNames => [];

    /// <summary>Starts the walk of <paramref name="plan"/>: its names, every variable as spelled and the target's own, are taken.</summary>
    protected void Begin(KernelPlan plan) =>
        Names = new NameSupply(plan.Expressions.Concat(plan.Passes.SelectMany(p => p.Before.Concat(p.Rescales).Concat(p.After).Select(d => (Expr)d.Variable)))
            .SelectMany(e => e.VariableNodes()).Distinct().Select(Spell)
            .Concat(plan.Passes.SelectMany(p => p.Reductions.Select(r => r.Name)))
            .Concat(FixedNames));

    /// <summary>Lowers <paramref name="plan"/> into <paramref name="writer"/>.</summary>
    public void Walk(IndentedTextWriter writer, KernelPlan plan)
    {
        Begin(plan);
        var body = new IndentedTextWriter();
        if (plan.Statistics is StatisticsRow statistics)
        {
            BeginStatistics(body, statistics);
        }
        int? stage = null;
        IDisposable? stageBlock = null;
        for (int p = 0; p < plan.Passes.Count; p++)
        {
            Pass pass = plan.Passes[p];
            if (pass.Stage != stage)
            {
                stageBlock?.Dispose();
                stage = pass.Stage;
                stageBlock = stage is int s ? StageBlock(body, s) : null;
            }
            if (pass.Given.Count > 0)
            {
                foreach (StatisticColumn column in pass.Given)
                {
                    ReadGiven(body, column);
                }
            }
            else if (pass.ScalesFrom.Count > 0)
            {
                WalkWithGivenScales(body, plan, pass, p);
            }
            else if (pass.Rescales.Count == 0)
            {
                BeginPass(body, pass);
                using (GroupLoop(body, plan, pass, p))
                {
                    WriteDefinitions(body, pass.Before);
                    Sweep(body, plan, pass, p, rerunnable: false);
                }
            }
            else
            {
                WalkWithRerun(body, plan, pass, p);
            }
            if (pass.Publish.Count > 0)
            {
                Publish(body, pass.Publish);
            }
            WriteDefinitions(body, pass.After);
        }
        stageBlock?.Dispose();
        if (plan.Partials.Count > 0)
        {
            WritePartials(body, plan);
        }
        WriteFunction(writer, plan, plan.Parameters, body.ToString());
    }

    // A pass that decides its own scales: it runs with scales 1, and again with the scales its statistics call for.
    private void WalkWithRerun(IndentedTextWriter body, KernelPlan plan, Pass pass, int index)
    {
        BeginPass(body, pass);
        using (Runs(body))
        {
            BeginRun(body, pass);
            using (GroupLoop(body, plan, pass, index))
            {
                WriteDefinitions(body, pass.Before);
                Sweep(body, plan, pass, index, rerunnable: true);
            }
            StopAfterRerun(body);
            var rescaled = pass.Rescales.Select(r => r with { Name = Names.Name(r.Name + RescaledSuffix) }).ToList();
            WriteDefinitions(body, rescaled);
            StopIfUnscaled(body, rescaled.Select(r => r.Name).ToList());
            for (int r = 0; r < pass.Rescales.Count; r++)
            {
                body.WriteLine(Expressions.Assign(pass.Rescales[r].Name, rescaled[r].Name));
            }
        }
    }

    // A statistics stage whose scales are given: 1, or those its earlier run's all-reduced totals call for; one sweep.
    private void WalkWithGivenScales(IndentedTextWriter body, KernelPlan plan, Pass pass, int index)
    {
        DeclareScales(body, pass.Rescales.Select(r => r.Name).ToList());
        using (RescaledRun(body))
        {
            foreach (StatisticColumn column in pass.ScalesFrom)
            {
                ReadGiven(body, column);
            }
            var given = pass.Rescales.Select(r => r with { Name = Names.Name(r.Name + GivenSuffix) }).ToList();
            WriteDefinitions(body, given);
            for (int r = 0; r < pass.Rescales.Count; r++)
            {
                body.WriteLine(Expressions.Assign(pass.Rescales[r].Name, given[r].Name));
            }
        }
        using (GroupLoop(body, plan, pass, index))
        {
            WriteDefinitions(body, pass.Before);
            Sweep(body, plan, pass, index, rerunnable: false);
        }
    }

    /// <summary>Runs an action when disposed: the end of a loop that writes something before it closes.</summary>
    protected sealed class Closing(Action close) : IDisposable
    {
        public void Dispose() => close();
    }

    // The scales a run computes for the next, beside the ones it ran with.
    private const string RescaledSuffix = "_rescaled";

    // The scales a stage computes from given statistics, beside the ones it declared.
    private const string GivenSuffix = "_given";

    /// <summary>Row scalars, one after the other (each may use the ones before), with their temporaries named after them.</summary>
    protected void WriteDefinitions(IndentedTextWriter writer, IReadOnlyList<Definition> definitions)
    {
        foreach (Definition definition in definitions)
        {
            ExpressionCompiler.Compiled compiled = Compile(definition.Name + "_t", [definition.Value]);
            WriteStatements(writer, compiled);
            writer.WriteLine(Expressions.Declare(definition.Name, compiled.Results[0]));
        }
    }

    /// <summary>
    /// Roots compiled in the target's scalar spelling, lowered as the target evaluates them, their temporaries numbered
    /// after a prefix the name supply gives for <paramref name="tempHint"/>.
    /// </summary>
    protected ExpressionCompiler.Compiled Compile(string tempHint, IReadOnlyList<Expr> roots) =>
        ExpressionCompiler.Compile(Expressions, Spell, Names.Prefix(tempHint), Lower(roots));

    /// <summary>The temporaries of a compilation, one statement a line.</summary>
    protected static void WriteStatements(IndentedTextWriter writer, ExpressionCompiler.Compiled compiled)
    {
        foreach (string statement in compiled.Statements)
        {
            writer.WriteLine(statement);
        }
    }
}
