using System.Collections.Generic;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Composition;

/// <summary>What a plan reads besides its element inputs and its own row scalars.</summary>
/// <param name="Parameters">The learnable parameters it uses, in slot order.</param>
/// <param name="RowLength">Whether it uses the row length.</param>
internal sealed record PlanParameters(IReadOnlyList<Variable> Parameters, bool RowLength);
