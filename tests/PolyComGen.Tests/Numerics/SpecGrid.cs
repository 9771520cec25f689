using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Tests.Numerics;

public static class SpecGrid
{
    /// <summary>
    /// Every activation this assembly declares without experts: the grid (GridDeclarations.cs) and the paper's two, from
    /// the generated registry. (The ones with experts, ExpertDeclarations.cs, take grouped rows and offsets;
    /// ExpertTests compares them with these.)
    /// </summary>
    public static IReadOnlyList<PolyComActivation> All { get; } = PolyComActivations.All.Where(a => a.Spec.Experts == 1).ToList();

    /// <summary>The index of the activation declared as <paramref name="className"/>.</summary>
    public static int IndexOf(string className)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (All[i].Name == className)
            {
                return i;
            }
        }
        throw new ArgumentException($"No activation is declared as {className}.", nameof(className));
    }

    /// <summary>Test data: each activation's spec text and index.</summary>
    public static IEnumerable<object[]> Indexed() => All.Select((entry, index) => new object[] { entry.Spec.ToString(), index });

    /// <summary>The declarations with experts (ExpertDeclarations.cs), whose kernels run a row of blocks per expert.</summary>
    public static IReadOnlyList<PolyComActivation> WithExperts { get; } = PolyComActivations.All.Where(a => a.Spec.Experts > 1).ToList();

    /// <summary><see cref="WithExperts"/> as theory data: the spec and its index.</summary>
    public static IEnumerable<object[]> ExpertsIndexed() => WithExperts.Select((entry, index) => new object[] { entry.Spec.ToString(), index });
}
