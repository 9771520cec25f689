using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Expressions.Language;
using PolyComGen.Generator.Models;
using static PolyComGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace PolyComGen.Generator;

public sealed partial class PolyComGenerator
{
    // Where a mistake in an attribute's argument is, and its diagnostic.
    // The expression argument of each attribute: Inner = "..." on [PolyCom], the constructor's first on [Activation].
    private static string ExpressionArgument(bool polynomial) => polynomial ? "Inner" : "";

    // The names of a Shared string, with where each starts; what is not a name is returned as it is, to be reported.
    private static IEnumerable<(string Name, int Start)> SharedNames(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ','))
            {
                i++;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != ',')
            {
                i++;
            }
            if (i > start)
            {
                yield return (text.Substring(start, i - start), start);
            }
        }
    }

    // Eps is added in float32 by the kernels: it must stay a positive finite number there (1e-50 would become 0).
    private static bool IsFloat32Positive(double value) => value > 0 && value <= KernelContract.Float32Max && (float)value > 0;

    private static DiagnosticInfo ParameterDiagnostic(ExpressionError error, Location location)
    {
        DiagnosticDescriptor descriptor = error.Kind switch
        {
            ExpressionErrorKind.ParameterName => InvalidParameterName,
            ExpressionErrorKind.ParameterDuplicate => DuplicateParameter,
            ExpressionErrorKind.ParameterValue => InvalidParameterValue,
            _ => MalformedParameters,
        };
        return DiagnosticInfo.Create(descriptor, location, error.Message);
    }

    private static DiagnosticInfo ExpressionDiagnostic(ExpressionError error, string inner, string what, Location location)
    {
        if (error.Kind == ExpressionErrorKind.UnknownInner)
        {
            string name = inner.Trim();
            return DiagnosticInfo.Create(UnknownInner, location, name, $" (did you mean \"{BuiltInFunctions.Nearest(name, BuiltInFunctions.Names)}\"?)", string.Join(", ", BuiltInFunctions.Names));
        }
        DiagnosticDescriptor descriptor = error.Kind switch
        {
            ExpressionErrorKind.UnknownName => ExpressionUnknownName,
            ExpressionErrorKind.Exponent => ExpressionExponent,
            ExpressionErrorKind.NormNotOutermost => ExpressionNormNotOutermost,
            ExpressionErrorKind.Constant => ExpressionConstant,
            ExpressionErrorKind.DivisionByZero => ExpressionDivisionByZero,
            ExpressionErrorKind.ArgumentCount => ExpressionArgumentCount,
            ExpressionErrorKind.TooLarge => ExpressionTooLarge,
            ExpressionErrorKind.ConstantRange => ExpressionConstantRange,
            _ => MalformedExpression,
        };
        return DiagnosticInfo.Create(descriptor, location, what, error.Message);
    }

    /// <summary>
    /// Where characters [start, start + length) of a string argument's value are in the source (the named argument
    /// <paramref name="argumentName"/>, or the first constructor argument for ""), when the literal spells its value
    /// character for character (no escape sequences); null otherwise.
    /// </summary>
    private static Location? StringLocation(AttributeData attribute, string argumentName, int errorStart, int errorLength)
    {
        if (ArgumentSyntax(attribute, argumentName)?.Expression is not LiteralExpressionSyntax { Token: var token } literal
            || !token.IsKind(SyntaxKind.StringLiteralToken) && !token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken))
        {
            return null;
        }
        string value = token.ValueText, text = token.Text;
        if (value.Length == 0)
        {
            return literal.GetLocation();
        }
        // The value's first occurrence in the token starts right after the opening quotes (of "...", @"..." or """...""").
        int offset = text.IndexOf(value, StringComparison.Ordinal);
        if (offset < 0)
        {
            return null;
        }
        int start = token.SpanStart + offset + errorStart;
        int end = Math.Min(start + errorLength, token.Span.End);
        return Location.Create(literal.SyntaxTree, new Microsoft.CodeAnalysis.Text.TextSpan(start, Math.Max(end - start, 0)));
    }

    private static AttributeArgumentSyntax? ArgumentSyntax(AttributeData attribute, string argumentName) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(a => argumentName.Length == 0 ? a.NameEquals is null && a.NameColon is null : a.NameEquals?.Name.Identifier.ValueText == argumentName);

    private static Location? ConstructorArgumentLocation(AttributeData attribute) => ArgumentSyntax(attribute, "")?.GetLocation();

    private static Location? ArgumentLocation(AttributeData attribute, string argumentName) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == argumentName)?
            .GetLocation();
}
