using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PolyComGen.Generator.Contract;

namespace PolyComGen.Generator.Expressions.Language;

/// <summary>
/// Reads a declaration's <c>Parameters</c>: <c>"beta = 1, gamma = -0.5"</c>, each a learnable scalar and its initial
/// value. Names are identifiers that are not the language's own (x, pi, e, the functions, norm) nor a name the
/// generated modules use (<see cref="ReservedNames"/>); they are compared case-insensitively. Every mistake is located in the text.
/// </summary>
internal static class ParameterParser
{
    /// <summary>The parameters of <paramref name="text"/> in order, or the first mistake.</summary>
    public static (IReadOnlyList<DeclaredParameter> Parameters, ExpressionError? Error) Parse(string text)
    {
        var parameters = new List<DeclaredParameter>();
        int i = 0;
        void SkipSpace()
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
        }
        (IReadOnlyList<DeclaredParameter>, ExpressionError?) Fail(ExpressionErrorKind kind, int start, int length, string message) =>
            (parameters, new ExpressionError(kind, start, Math.Max(0, Math.Min(length, text.Length - start)), message));

        SkipSpace();
        if (i == text.Length)
        {
            return (parameters, null);
        }
        while (true)
        {
            SkipSpace();
            int nameStart = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }
            string name = text.Substring(nameStart, i - nameStart);
            if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_'))
            {
                int length = name.Length > 0 ? name.Length : 1;
                return Fail(ExpressionErrorKind.ParameterSyntax, nameStart, length,
                    $"expected a parameter name (an identifier) at {Describe(text, nameStart)}; write each parameter as name = value, separated by commas, as in \"beta = 1, gamma = -0.5\"");
            }
            if (ReservedReason(name) is string reason)
            {
                return Fail(ExpressionErrorKind.ParameterName, nameStart, name.Length, $"'{name}' cannot name a parameter: {reason}");
            }
            if (parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is DeclaredParameter earlier)
            {
                return Fail(ExpressionErrorKind.ParameterDuplicate, nameStart, name.Length,
                    $"'{name}' is declared twice (names are compared ignoring case; the first is '{earlier.Name}')");
            }
            SkipSpace();
            if (i == text.Length || text[i] != '=')
            {
                return Fail(ExpressionErrorKind.ParameterSyntax, i < text.Length ? i : nameStart, i < text.Length ? 1 : name.Length,
                    $"expected '=' and the initial value after '{name}', as in \"{name} = 1\"");
            }
            i++;
            SkipSpace();
            int valueStart = i;
            // A number as written: digits, a point, an exponent, signs, or a word (NaN, Infinity) to report.
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '.' or '+' or '-'))
            {
                i++;
            }
            string valueText = text.Substring(valueStart, i - valueStart);
            if (valueText.Length == 0)
            {
                return Fail(ExpressionErrorKind.ParameterValue, Math.Min(valueStart, text.Length - 1), 1, $"'{name}' has no initial value after '='");
            }
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value)
                || Math.Abs(value) > KernelContract.Float32Max)
            {
                return Fail(ExpressionErrorKind.ParameterValue, valueStart, valueText.Length,
                    $"the initial value of '{name}', '{valueText}', is not a number within float32's range (magnitudes up to 3.4e38)");
            }
            parameters.Add(new DeclaredParameter(name, value, nameStart, name.Length));
            if (parameters.Count > KernelContract.MaxLearned)
            {
                return Fail(ExpressionErrorKind.ParameterSyntax, nameStart, name.Length, $"more than {KernelContract.MaxLearned} parameters; the limit keeps the kernels' registers in bounds");
            }
            SkipSpace();
            if (i == text.Length)
            {
                return (parameters, null);
            }
            if (text[i] != ',')
            {
                return Fail(ExpressionErrorKind.ParameterSyntax, i, 1, $"expected ',' before {Describe(text, i)}; separate the parameters with commas");
            }
            i++;
        }
    }

    /// <summary>Why <paramref name="name"/> cannot name a parameter; null when it can.</summary>
    public static string? ReservedReason(string name) =>
        InnerParser.IsLanguageName(name) ? "it is a name of the expression language (x, pi, e, the functions and norm)" : ReservedNames.Reason(name);

    private static string Describe(string text, int at) => at >= text.Length ? "the end" : $"'{text[at]}'";
}
