using Microsoft.CodeAnalysis;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Models;

/// <summary>A diagnostic as plain values: its descriptor's ID, where it points and its message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Diagnostics.DiagnosticDescriptors.ById(Id), Location?.ToLocation(), messageArgs: Arguments.AsSpan().ToArray());

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), arguments.ToEquatableArray());
}
