using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Verification;

namespace PolyComGen.Samples;

/// <summary>
/// <c>polycom check</c>: each activation's kernels on a target (the CPU kernels in float32, or the CUDA kernels
/// on the emulated device in float32, bfloat16 and float16) against its float64 CPU kernels, through the parity checker.
/// </summary>
public static class KernelParityCheck
{
    /// <summary>Checks every one of <paramref name="activations"/> in every format; prints the table; 0 when all pass, 1 otherwise.</summary>
    public static int Run(TextWriter output, IParityTarget target, IReadOnlyList<StorageFormat> formats, long[] shape, IReadOnlyList<PolyComActivation> activations)
    {
        output.WriteLine($"{target.Name} kernels vs the CPU kernels in float64, [{string.Join(", ", shape)}] (the last dimension times the groups of grouped activations), gradients run twice (bitwise repeatable)");
        output.WriteLine("Errors: y, dx and dgate, max |error| / max |expected|; the parameters' gradients, |error| / sum of |summands|.");
        output.WriteLine();
        foreach (string line in ParityReport.Header())
        {
            output.WriteLine(line);
        }
        var results = new List<ParityResult>();
        foreach (PolyComActivation activation in activations)
        {
            // A grouped activation's rows are the given width times its groups, so that they split evenly.
            long[] own = ParityCheck.ShapeFor(activation.Descriptor, shape);
            foreach (StorageFormat format in formats)
            {
                ParityResult result = ParityCheck.Run(activation.Descriptor, target, format, own, seed: 17, runs: 2);
                results.Add(result);
                output.WriteLine(ParityReport.Row(result));
            }
        }
        output.WriteLine();
        output.WriteLine(ParityReport.Summary(results));
        return results.All(r => r.Passed) ? 0 : 1;
    }
}
