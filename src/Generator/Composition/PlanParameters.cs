using System.Collections.Generic;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>What a plan reads besides its element inputs and its own row scalars.</summary>
/// <param name="Weights">The weights it uses, in order of k.</param>
/// <param name="Bias">Whether it uses the bias.</param>
/// <param name="RowLength">Whether it uses the row length.</param>
internal sealed record PlanParameters(IReadOnlyList<Variable> Weights, bool Bias, bool RowLength);
