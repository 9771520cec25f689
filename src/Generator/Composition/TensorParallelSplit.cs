using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// A rowwise plan split for rows sharded over ranks (docs/math.md section 5b): <see cref="Statistics"/> runs one
/// statistics stage per launch, whose totals the ranks all-reduce before the next; <see cref="Apply"/> reads them all and
/// runs the last pass on the shard. Both are plans, which every walker lowers as it lowers the one-shot plan.
/// </summary>
/// <param name="Statistics">The statistics kernel's plan: stage s reads the earlier stages' columns, sweeps its pass and publishes its own.</param>
/// <param name="Apply">The apply kernel's plan: every stage's columns, then the last pass and the gradient partials.</param>
/// <param name="Layout">Which columns each stage writes and how they are all-reduced.</param>
internal sealed record SplitPlan(KernelPlan Statistics, KernelPlan Apply, StatisticsLayout Layout);

/// <summary>The plan pass of tensor parallelism: one rowwise plan in, its statistics and apply plans out.</summary>
internal static class TensorParallelSplit
{
    /// <summary>Splits <paramref name="plan"/>, a rowwise plan without groups of columns.</summary>
    public static SplitPlan Split(KernelPlan plan)
    {
        StatisticsLayout layout = StatisticsLayout.Of(plan);
        IReadOnlyList<StatisticColumn> ColumnsOf(IEnumerable<string> names) => names.Select(n => new StatisticColumn(n, layout.ColumnOf[n])).ToList();
        // A stage that ran before: its totals and scales from the statistics, then the row scalars that follow from them.
        Pass Given(Pass pass, int? stage) =>
            new([], [], pass.After) { Given = ColumnsOf(pass.Reductions.Select(r => r.Name).Concat(pass.Rescales.Select(r => r.Name))), Stage = stage };

        var statistics = new List<Pass>();
        for (int s = 0; s < layout.Stages.Count; s++)
        {
            for (int earlier = 0; earlier < s; earlier++)
            {
                statistics.Add(Given(plan.Passes[layout.Stages[earlier].Pass], s));
            }
            Pass pass = plan.Passes[layout.Stages[s].Pass];
            var scaleInputs = new HashSet<string>(pass.Rescales.SelectMany(r => r.Value.VariableNodes()).Select(v => v.Name));
            statistics.Add(pass with
            {
                After = [],
                Stage = s,
                Publish = ColumnsOf(pass.Reductions.Select(r => r.Name).Concat(pass.Rescales.Select(r => r.Name))),
                ScalesFrom = ColumnsOf(pass.Reductions.Select(r => r.Name).Where(scaleInputs.Contains)),
            });
        }
        var apply = layout.Stages.Select(stage => Given(plan.Passes[stage.Pass], null)).Append(plan.Passes[plan.Passes.Count - 1]).ToList();
        return new SplitPlan(
            new KernelPlan(true, statistics, []) { Statistics = new StatisticsRow(layout.Columns, Writes: true) },
            plan with { Passes = apply, Statistics = new StatisticsRow(layout.Columns, Writes: false) },
            layout);
    }
}
