using System;
using System.Collections.Generic;
using System.Linq;

namespace PolyComGen.Generator.Emitters;

/// <summary>
/// Hands out the spellings of the names a walk makes up (temporaries, the scales of a rerun), so that none meets a
/// name the function already has: a parameter's, a row scalar's, an element input's, or one the target itself writes.
/// As TVM's <c>GetUniqueName</c>: a hint is kept when free and otherwise suffixed, never concatenated blindly.
/// </summary>
internal sealed class NameSupply
{
    private readonly HashSet<string> taken;

    /// <param name="reserved">The names the function has before the walk makes any up.</param>
    public NameSupply(IEnumerable<string> reserved) => taken = new HashSet<string>(reserved, StringComparer.Ordinal);

    /// <summary>
    /// A prefix for numbered temporaries (prefix0, prefix1 ...): <paramref name="hint"/> when no name taken is the hint
    /// followed by digits, else the hint with underscores appended until none is.
    /// </summary>
    public string Prefix(string hint)
    {
        string prefix = hint;
        while (taken.Any(name => name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) && name.Skip(prefix.Length).All(char.IsDigit)))
        {
            prefix += "_";
        }
        return prefix;
    }

    /// <summary>A name: <paramref name="hint"/> when it is free, else the hint with a number; taken from then on.</summary>
    public string Name(string hint)
    {
        string name = hint;
        for (int n = 2; taken.Contains(name); n++)
        {
            name = hint + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        taken.Add(name);
        return name;
    }
}
