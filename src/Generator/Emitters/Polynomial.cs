using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Emitters;

/// <summary>Horner's rule as source text, shared by the C# and CUDA emitters.</summary>
internal static class Polynomial
{
    /// <summary><c>c[0] + v * (c[1] + v * (c[2] + ...))</c> for the coefficient expressions <paramref name="coefficients"/>.</summary>
    public static string Horner(string variable, IReadOnlyList<string> coefficients)
    {
        string text = coefficients[coefficients.Count - 1];
        for (int k = coefficients.Count - 2; k >= 0; k--)
        {
            string inner = k == coefficients.Count - 2 ? text : $"({text})";
            text = $"{coefficients[k]} + {variable} * {inner}";
        }
        return text;
    }

    /// <summary>Names <c>{prefix}{first}</c> to <c>{prefix}{last}</c>.</summary>
    public static IReadOnlyList<string> Names(string prefix, int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(k => prefix + k).ToList();
}
