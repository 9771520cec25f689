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

    /// <summary>The declaration of weight w{index + 1}, the weight vector's element <paramref name="index"/>.</summary>
    public abstract string SelectWeight(string name, int index);

    /// <summary>The declaration of h, the row length, as a constant tensor.</summary>
    public abstract string RowLength(string name);

    /// <summary>The declaration of constant k{index}.</summary>
    public abstract string ConstantDeclaration(string name, double value);

    /// <summary>The spelling of a plan variable (x, dy, gate, bias, the row scalars...).</summary>
    public abstract string Variable(Variable variable);
}
