using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PolyComGen.Verification;

/// <summary>Parity results as a Markdown table, the same for <c>polycom check</c> and the GPU checker.</summary>
public static class ParityReport
{
    /// <summary>The table's header and separator lines.</summary>
    public static IEnumerable<string> Header()
    {
        yield return "| activation | spec | kernels | dtype | shape | y | dx | dparameters | dgate | repeatable | tolerance | result |";
        yield return "|---|---|---|---|---|---:|---:|---:|---:|---|---:|---|";
    }

    /// <summary>One result as a row.</summary>
    public static string Row(ParityResult r) =>
        $"| {r.Activation} | `{r.Spec}` | {r.Target} | {r.Format} | {r.ShapeText} | {Error(r.Y)} | {Error(r.Dx)} | {Error(r.Dparameters)} | " +
        $"{(r.Dgate is double g ? Error(g) : "-")} | {(r.Repeatable is bool b ? (b ? "yes" : "NO") : "-")} | {r.Tolerance.ToString("0E0", CultureInfo.InvariantCulture)} | {(r.Passed ? "pass" : "FAIL")} |";

    /// <summary>The closing line: every check passed, or how many failed.</summary>
    public static string Summary(IReadOnlyCollection<ParityResult> results)
    {
        int failures = results.Count(r => !r.Passed);
        return failures == 0 ? $"All {results.Count} checks passed." : $"{failures} of {results.Count} checks FAILED.";
    }

    /// <summary>
    /// The worst of many results, per kernels and dtype: the largest error of each output with the activation it came
    /// from, whether every result repeated, and whether all passed. For reports of more results than a table can show.
    /// </summary>
    public static IEnumerable<string> Worst(IReadOnlyCollection<ParityResult> results)
    {
        yield return "| kernels | dtype | checks | worst y | worst dx | worst dparameters | worst dgate | repeatable | result |";
        yield return "|---|---|---:|---|---|---|---|---|---|";
        foreach (var group in results.GroupBy(r => (r.Target, r.Format)))
        {
            string Max(System.Func<ParityResult, double?> error)
            {
                ParityResult? worst = group.Where(r => error(r) is not null).OrderByDescending(r => double.IsNaN(error(r)!.Value) ? double.PositiveInfinity : error(r)!.Value).FirstOrDefault();
                return worst is null ? "-" : $"{Error(error(worst)!.Value)} ({worst.Activation})";
            }
            string repeatable = group.All(r => r.Repeatable != false) ? (group.Any(r => r.Repeatable is null) ? "-" : "all") : "NO";
            yield return $"| {group.Key.Target} | {group.Key.Format} | {group.Count()} | {Max(r => r.Y)} | {Max(r => r.Dx)} | {Max(r => r.Dparameters)} | " +
                $"{Max(r => r.Dgate)} | {repeatable} | {(group.All(r => r.Passed) ? "pass" : $"{group.Count(r => !r.Passed)} FAIL")} |";
        }
    }

    private static string Error(double e) => e.ToString("0.0E+0", CultureInfo.InvariantCulture);
}
