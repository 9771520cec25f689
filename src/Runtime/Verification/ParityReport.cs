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
        yield return "| activation | spec | kernels | dtype | shape | y | dx | dweight | dbias | dgate | repeatable | tolerance | result |";
        yield return "|---|---|---|---|---|---:|---:|---:|---:|---:|---|---:|---|";
    }

    /// <summary>One result as a row.</summary>
    public static string Row(ParityResult r) =>
        $"| {r.Activation} | `{r.Spec}` | {r.Target} | {r.Format} | {r.ShapeText} | {Error(r.Y)} | {Error(r.Dx)} | {Error(r.Dweight)} | {Error(r.Dbias)} | " +
        $"{(r.Dgate is double g ? Error(g) : "-")} | {(r.Repeatable is bool b ? (b ? "yes" : "NO") : "-")} | {r.Tolerance.ToString("0E0", CultureInfo.InvariantCulture)} | {(r.Passed ? "pass" : "FAIL")} |";

    /// <summary>The closing line: every check passed, or how many failed.</summary>
    public static string Summary(IReadOnlyCollection<ParityResult> results)
    {
        int failures = results.Count(r => !r.Passed);
        return failures == 0 ? $"All {results.Count} checks passed." : $"{failures} of {results.Count} checks FAILED.";
    }

    private static string Error(double e) => e.ToString("0.0E+0", CultureInfo.InvariantCulture);
}
