using System;
using System.Linq;

namespace PolyComGen.Samples;

/// <summary>A value given on the command line that the command cannot use; <c>polycom</c> prints the message and exits with 2.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>Reading the command line's structured values, with messages that say what was expected.</summary>
public static class CommandLineValues
{
    /// <summary>The most elements one tensor of a shape may have: 2^29, 2 GiB of float32, what a CPU tensor's span can address.</summary>
    public const long MaxElements = 1L << 29;

    /// <summary>Shapes such as <c>4096x4096,1024x16384</c>: positive sizes, at most <see cref="MaxElements"/> elements each.</summary>
    /// <exception cref="CommandLineException">The text is not such a list.</exception>
    public static long[][] Shapes(string option, string text)
    {
        long[][] shapes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Shape(option, s)).ToArray();
        return shapes.Length > 0 ? shapes : throw new CommandLineException($"{option} takes at least one shape, like 4096x4096.");
    }

    /// <summary>One shape, such as <c>64x1031</c>.</summary>
    /// <exception cref="CommandLineException">The text is not a shape of positive sizes within <see cref="MaxElements"/> elements.</exception>
    public static long[] Shape(string option, string text)
    {
        string[] parts = text.Split('x');
        var dims = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
            {
                throw new CommandLineException($"{option}: '{text}' is not a shape of positive whole sizes like 64x1031 ('{parts[i]}' is not a size).");
            }
        }
        double elements = dims.Aggregate(1.0, (product, d) => product * d);
        return elements <= MaxElements
            ? dims
            : throw new CommandLineException($"{option}: '{text}' has {elements:G3} elements; at most {MaxElements} (2 GiB of float32) are supported.");
    }
}
