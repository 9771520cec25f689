using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// One learnable tensor of a module, which covers <see cref="Variables"/>.Count consecutive slots of the kernels'
/// parameter vector (per group).
/// </summary>
/// <param name="Name">The module's parameter: its field, attribute and state_dict key (<c>weight</c>, <c>bias</c>, or as declared).</param>
/// <param name="Variables">The plan variables of its slots, in slot order (w1..wr for the weights, one for every other).</param>
/// <param name="Initial">Its initial value as a literal both C# and Python read (<c>1.0 / 3</c>, <c>0.0</c>, <c>1.702</c>).</param>
/// <param name="PerGroup">True when every group of columns has its own values; false for a parameter <c>Shared</c> by all.</param>
/// <param name="Description">What the module's documentation says of it; null for a declared parameter.</param>
/// <param name="Vector">True for a vector of values (a PolyCom's weights, even of order 1), which the descriptor names by index.</param>
internal sealed record SlotEntry(string Name, IReadOnlyList<Variable> Variables, string Initial, bool PerGroup, string? Description, bool Vector = false)
{
    /// <summary>Its first slot in a group's slots.</summary>
    public int First => Variables[0].Index;

    /// <summary>Its values per group.</summary>
    public int Length => Variables.Count;
}

/// <summary>
/// The one owner of a spec's parameter slot layout: a PolyCom's weights and bias, then the declared parameters, each
/// group's slots side by side. The composition reads its variables; the descriptor, the C# module, the kernels and the
/// PyTorch module read its entries.
/// </summary>
internal sealed class SlotTable
{
    private SlotTable(IReadOnlyList<SlotEntry> entries, int groups)
    {
        Entries = entries;
        Groups = groups;
    }

    /// <summary>The module's learnable tensors in slot order.</summary>
    public IReadOnlyList<SlotEntry> Entries { get; }

    /// <summary>The groups of columns, each with its own values of every entry not shared.</summary>
    public int Groups { get; }

    /// <summary>The slots of one group.</summary>
    public int Slots => Entries.Sum(e => e.Length);

    /// <summary>The slots of every group: the length of the kernels' parameter vector and of its gradient.</summary>
    public int Parameters => Groups * Slots;

    /// <summary>The variable of every slot, in slot order.</summary>
    public IReadOnlyList<Variable> Variables => Entries.SelectMany(e => e.Variables).ToList();

    /// <summary>The layout of <paramref name="spec"/>.</summary>
    public static SlotTable Of(SpecModel spec)
    {
        var entries = new List<SlotEntry>();
        if (spec.Polynomial)
        {
            string order = spec.Order.ToString(CultureInfo.InvariantCulture);
            entries.Add(new SlotEntry("weight", Enumerable.Range(1, spec.Order).Select(PlanVariables.Weight).ToList(), $"1.0 / {order}", true, $"The weights w[0..{spec.Order - 1}]", Vector: true));
            entries.Add(new SlotEntry("bias", [PlanVariables.Bias(spec.Order)], "0.0", true, "The bias b"));
        }
        int first = KernelContract.Slots(spec.Polynomial, spec.Order, 0);
        entries.AddRange(spec.Learned.Select((p, j) => new SlotEntry(p.Name, [PlanVariables.Learned(p.Name, first + j)],
            p.Initial.ToString("R", CultureInfo.InvariantCulture), !p.Shared, null)));
        return new SlotTable(entries, spec.Groups);
    }
}
