using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PolyComGen.Compiler;

/// <summary>
/// A declaration compiled at run time has mistakes: <see cref="Diagnostics"/> lists each with its ID, message and
/// column in <see cref="Declaration"/>, and the message shows the declaration with a caret under each mistake.
/// </summary>
public sealed class PolyComCompilationException : Exception
{
    /// <summary>Creates the exception for <paramref name="declaration"/> and its errors.</summary>
    public PolyComCompilationException(string declaration, IReadOnlyList<PolyComDiagnostic> diagnostics)
        : base(Describe(declaration, diagnostics))
    {
        Declaration = declaration;
        Diagnostics = diagnostics;
    }

    /// <summary>The declaration as given.</summary>
    public string Declaration { get; }

    /// <summary>Every diagnostic, errors first, in the order of their columns.</summary>
    public IReadOnlyList<PolyComDiagnostic> Diagnostics { get; }

    private static string Describe(string declaration, IReadOnlyList<PolyComDiagnostic> diagnostics)
    {
        int errors = diagnostics.Count(d => d.IsError);
        var text = new StringBuilder($"The declaration has {errors} error{(errors == 1 ? "" : "s")}:");
        string[] lines = declaration.Split('\n');
        foreach (PolyComDiagnostic diagnostic in diagnostics)
        {
            text.AppendLine();
            if (diagnostic is { Line: int line, Column: int column } && line <= lines.Length)
            {
                text.AppendLine("  " + lines[line - 1].TrimEnd('\r'));
                text.AppendLine("  " + new string(' ', column - 1) + new string('^', Math.Max(1, Math.Min(diagnostic.Length, lines[line - 1].Length - column + 1))));
            }
            text.Append("  " + diagnostic);
        }
        return text.ToString();
    }
}
