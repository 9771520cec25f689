namespace PolyComGen.Generator.Models;

/// <summary>A learnable parameter a declaration names in its <c>Parameters</c> (docs/math.md, "Learnable parameters").</summary>
/// <param name="Name">Its name as declared: the module's parameter and state_dict key.</param>
/// <param name="Initial">Its initial value (every group's, when grouped).</param>
/// <param name="Shared">True when it keeps one value for all groups (<c>Shared</c>).</param>
/// <param name="Slot">Its slot in the kernels' parameter vector.</param>
internal sealed record LearnedParameter(string Name, double Initial, bool Shared, int Slot);
