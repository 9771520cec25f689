using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PolyComGen.Verification;

namespace PolyComGen.Samples.Benchmarks;

/// <summary>
/// The table of <c>polycom traffic</c>: per activation, dtype and row length, how many times the forward and the
/// backward read each input and write each output (counted on the emulated device), and the ceiling on a device
/// copy's bandwidth that the counted traffic predicts (the floor's transfers over the counted ones).
/// </summary>
internal static class TrafficTable
{
    public static void Write(TextWriter output, IReadOnlyList<PolyComActivation> activations, IReadOnlyList<StorageFormat> formats, IReadOnlyList<long> lengths, long rows)
    {
        output.WriteLine("| activation | dtype | h | forward: reads, writes | forward ceiling | backward: reads, writes | backward ceiling |");
        output.WriteLine("|---|---|---:|---|---:|---|---:|");
        foreach (PolyComActivation activation in activations)
        {
            foreach (StorageFormat format in formats)
            {
                foreach (long h in lengths)
                {
                    var transfers = KernelTraffic.Measure(activation.Descriptor, format, rows, h);
                    var forward = transfers.Where(t => t.Direction == "forward").ToList();
                    var backward = transfers.Where(t => t.Direction == "backward").ToList();
                    output.WriteLine($"| {activation.Name} | {format} | {h} | {Describe(forward)} | {Percent(KernelTraffic.Ceiling(forward))} | {Describe(backward)} | {Percent(KernelTraffic.Ceiling(backward))} |");
                }
            }
        }
    }

    // "x 2.00, y 1.00 written": each input by its reads, each output by its writes.
    private static string Describe(IEnumerable<KernelTraffic.Transfer> transfers) => string.Join(", ", transfers.Select(t =>
        t.Writes > 0 ? $"{t.Tensor} {Number(t.Writes)} written" : $"{t.Tensor} {Number(t.Reads)}"));

    private static string Number(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Percent(double value) => (value * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
}
