using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PolyComGen.Generator.Models;

/// <summary>A location as plain values, so that it can live in an equatable model.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
