using System.Globalization;

namespace PolyComGen.Compiler;

/// <summary>A mistake (or a warning) in a declaration compiled at run time, located in the declaration's text.</summary>
/// <param name="Id">The diagnostic's ID: PCGnnnn from the generator (docs/diagnostics.md), CSnnnn from the C# compiler.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="IsError">False for a warning (such as PCG0031, a fit that did not converge).</param>
/// <param name="Line">The line in the declaration's text, from 1; null when the diagnostic is not located in it.</param>
/// <param name="Column">The column in that line, from 1; null when the diagnostic is not located in the declaration.</param>
/// <param name="Length">How many characters the diagnostic covers (at least 1 when located).</param>
public sealed record PolyComDiagnostic(string Id, string Message, bool IsError, int? Line, int? Column, int Length)
{
    /// <summary>For example <c>PCG0015 (column 28): the name 'y' is unknown ...</c>.</summary>
    public override string ToString()
    {
        string where = Column is not int column ? "" : Line is 1 or null
            ? string.Create(CultureInfo.InvariantCulture, $" (column {column})")
            : string.Create(CultureInfo.InvariantCulture, $" (line {Line}, column {column})");
        return $"{Id}{where}: {Message}";
    }
}
