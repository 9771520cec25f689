using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// One statistics stage of a split plan: a pass that only reduces, run alone and its totals all-reduced over the ranks
/// a row is sharded over before the next stage (docs/math.md section 5b).
/// </summary>
/// <param name="Pass">The plan's pass the stage runs.</param>
/// <param name="First">Its first column in the statistics row; its sums come first.</param>
/// <param name="FirstMax">Its first column all-reduced by maximum: the row maxima, then the scales the stage ran with (the same on every rank).</param>
/// <param name="End">One past its last column.</param>
/// <param name="Decides">The columns of the statistics its scales come from: a rerun with scales is needed when one exceeds the statistic limit.</param>
internal sealed record StatisticsStage(int Pass, int First, int FirstMax, int End, IReadOnlyList<int> Decides);

/// <summary>
/// How a rowwise plan splits for rows sharded over several ranks: every pass but the last is a statistics stage whose
/// totals (and scales) go to columns of a float32 statistics row per row of x; the apply kernel reads them all and runs
/// the last pass. <see cref="LocalPartials"/> says which gradient partials the apply kernel completes from its own
/// shard alone (sums of the last pass), which the ranks must add; the others come from all-reduced totals and are
/// already the whole row's on every rank.
/// </summary>
internal sealed record StatisticsLayout(IReadOnlyList<StatisticsStage> Stages, int Columns, IReadOnlyDictionary<string, int> ColumnOf, IReadOnlyList<bool> LocalPartials)
{
    /// <summary>The layout of <paramref name="plan"/>, rowwise and without groups of columns.</summary>
    public static StatisticsLayout Of(KernelPlan plan)
    {
        if (!plan.Rowwise || plan.SlotReductions.Count > 0)
        {
            throw new ArgumentException("Only the plans of rowwise specs without groups of columns split.", nameof(plan));
        }
        var stages = new List<StatisticsStage>();
        var columnOf = new Dictionary<string, int>();
        int column = 0;
        for (int p = 0; p < plan.Passes.Count - 1; p++)
        {
            Pass pass = plan.Passes[p];
            if (pass.Stores.Count > 0)
            {
                throw new ArgumentException($"Pass {p + 1} of the plan stores before its last pass: it does not split.", nameof(plan));
            }
            int first = column;
            foreach (Reduction sum in pass.Reductions.Where(r => r.Kind == ReductionKind.Sum))
            {
                columnOf.Add(sum.Name, column++);
            }
            int firstMax = column;
            foreach (string name in pass.Reductions.Where(r => r.Kind == ReductionKind.Max).Select(r => r.Name).Concat(pass.Rescales.Select(s => s.Name)))
            {
                columnOf.Add(name, column++);
            }
            var decides = pass.Rescales.Select(s => columnOf[Statistic(s)]).Distinct().ToList();
            stages.Add(new StatisticsStage(p, first, firstMax, column, decides));
        }
        var local = new HashSet<string>(plan.Passes[plan.Passes.Count - 1].Reductions.Select(r => r.Name));
        var localPartials = plan.Partials.Select(e => e.VariableNodes().Any(v => v.Role == VariableRole.RowScalar && local.Contains(v.Name))).ToList();
        return new StatisticsLayout(stages, column, columnOf, localPartials);
    }

    // The statistic a scale definition, rescale(m, q), comes from: q.
    private static string Statistic(Definition scale) =>
        scale.Value is Call call && ReferenceEquals(call.Operation, Operations.Rescale) && call.Arguments[1] is Variable { Role: VariableRole.RowScalar } statistic
            ? statistic.Name
            : throw new ArgumentException($"The scale {scale.Name} is not rescale(max, statistic).", nameof(scale));
}
