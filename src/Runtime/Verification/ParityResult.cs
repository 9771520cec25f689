namespace PolyComGen.Verification;

/// <summary>
/// The errors of one parity check against the float64 CPU kernels. For y, dx and dgate: max |actual - expected| over
/// max |expected|. For the parameters' gradients, which are sums over every element: |actual - expected| over the sum
/// of the summands' magnitudes (at least the format's smallest normal number), the scale of a sum's rounding error.
/// </summary>
/// <param name="Activation">The activation's name.</param>
/// <param name="Spec">The activation's spec, as its attribute.</param>
/// <param name="Target">The kernels checked.</param>
/// <param name="Format">The storage format.</param>
/// <param name="Shape">The input's shape.</param>
/// <param name="Y">The error of y.</param>
/// <param name="Dx">The error of dx.</param>
/// <param name="Dparameters">The error of the parameters' gradient: the largest over the parameters (0 when there are none).</param>
/// <param name="Dgate">The error of dgate; null unless gated.</param>
/// <param name="Repeatable">Whether every output of a second run was bitwise the first's; null when run once.</param>
/// <param name="Tolerance">The bound every error must stay under.</param>
public sealed record ParityResult(
    string Activation, string Spec, string Target, StorageFormat Format, long[] Shape,
    double Y, double Dx, double Dparameters, double? Dgate, bool? Repeatable, double Tolerance)
{
    /// <summary>Every error below the tolerance (NaN is not), and the outputs repeatable where that was checked.</summary>
    public bool Passed => Y < Tolerance && Dx < Tolerance && Dparameters < Tolerance && (Dgate ?? 0) < Tolerance && Repeatable != false;

    /// <summary>The shape as text, e.g. [64, 1031].</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
