using System;
using System.Collections.Generic;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// A language of eager tensor ops: TorchSharp (C#) or PyTorch (Python). Constants are 0-dimensional tensors in the
/// input's dtype and device, named k0, k1, ...
/// </summary>
internal abstract class EagerTarget : Dialect
{
    private readonly List<double> constants = [];

    /// <summary>The constants used so far; constant i is spelled k{i}.</summary>
    public IReadOnlyList<double> Constants => constants;

    public sealed override string Constant(double value)
    {
        int index = constants.IndexOf(value);
        if (index < 0)
        {
            constants.Add(value);
            index = constants.Count - 1;
        }
        return "k" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A declaration of a tensor variable assigned later (in a loop), or null where the language needs none.</summary>
    public abstract string? DeclareUnassigned(string name);

    /// <summary>A loop of at most two runs (a pass that may rerun scaled): disposing the result closes it.</summary>
    public abstract IDisposable Loop(IndentedTextWriter writer);

    /// <summary>Leaves the loop when <paramref name="condition"/> holds.</summary>
    public abstract void BreakIf(IndentedTextWriter writer, string condition);

    /// <summary>A condition: every element of each of the tensors is 1.</summary>
    public abstract string AllOne(IReadOnlyList<string> tensors);

    /// <summary>A reduction of a plan: over the last dimension, kept (rowwise), or over everything.</summary>
    public abstract string Reduce(ReductionKind kind, bool rowwise, string value);

    /// <summary>0-dimensional tensors stacked into a vector.</summary>
    public abstract string Stack(IEnumerable<string> parts);

    /// <summary>The declaration of the parameter <paramref name="name"/>, element <paramref name="slot"/> of the parameter vector.</summary>
    public abstract string SelectParameter(string name, int slot);

    /// <summary>
    /// The declaration of a grouped parameter: slot <paramref name="slot"/> of each of <paramref name="groups"/> groups
    /// in the parameter vector, each repeated over its group's columns (a vector over the last dimension).
    /// </summary>
    public abstract string SelectGroupedParameter(string name, int slot, int groups);

    /// <summary>The sums of <paramref name="value"/> over each group's columns of every row: a vector of <paramref name="groups"/>.</summary>
    public abstract string GroupSum(string value, int groups);

    /// <summary>Per-group gradient vectors, one per slot, as the parameter vector's gradient (group after group).</summary>
    public abstract string StackGroups(IEnumerable<string> parts);

    /// <summary>The gradient of no parameter: an empty vector like the parameters.</summary>
    public abstract string NoParameters { get; }

    /// <summary>The declaration of h, the row length, as a constant tensor.</summary>
    public abstract string RowLength(string name);

    /// <summary>The declaration of constant k{index}.</summary>
    public abstract string ConstantDeclaration(string name, double value);

    /// <summary>The spelling of a plan variable (x, dy, gate, the parameters, the row scalars...).</summary>
    public abstract string Variable(Variable variable);
}
