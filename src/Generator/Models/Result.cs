using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Models;

/// <summary>A value, or null when invalid, paired with the diagnostics found while extracting it.</summary>
internal sealed record Result<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
