using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace PolyComGen.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. IDs are stable; docs/diagnostics.md lists them.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "PolyComGen";

    public static readonly DiagnosticDescriptor ClassNotPartial = Error(
        "PCG0001", "PolyCom class must be partial",
        "The class '{0}' has [PolyCom] but is not partial; declare it 'partial' so that the generator can complete it");

    public static readonly DiagnosticDescriptor NotAClass = Error(
        "PCG0002", "PolyCom target must be a class",
        "[PolyCom] is on the {1} '{0}'; it applies to a partial class only");

    public static readonly DiagnosticDescriptor GenericClass = Error(
        "PCG0003", "PolyCom class must not be generic",
        "The class '{0}' has type parameters; a [PolyCom] module must be a non-generic class");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "PCG0004", "Type containing a PolyCom class must be partial",
        "The class '{0}' is nested in '{1}', which is not partial; declare '{1}' 'partial' too");

    public static readonly DiagnosticDescriptor StaticOrAbstractClass = Error(
        "PCG0005", "PolyCom class must not be static or abstract",
        "The class '{0}' is {1}; a [PolyCom] module must be an instantiable class");

    public static readonly DiagnosticDescriptor OrderOutOfRange = Error(
        "PCG0006", "PolyCom Order out of range",
        "Order = {0} is outside the supported range 1 to 8");

    public static readonly DiagnosticDescriptor UnknownInner = Error(
        "PCG0007", "Unknown PolyCom inner function",
        "Inner = \"{0}\" is not a known inner function{1}; the known ones are {2}, or write an expression in x");

    public static readonly DiagnosticDescriptor TypeOutOfRange = Error(
        "PCG0008", "PolyCom Type must be 1 or 2",
        "Type = {0} is not supported; use 1 for sum w_i rho(x)^i + b or 2 for sum w_i rho(x^i) + b");

    public static readonly DiagnosticDescriptor InvalidEps = Error(
        "PCG0009", "PolyCom Eps must be finite and positive in float32",
        "Eps = {0} is not a positive number within float32's range (1.4e-45 to 3.4e38); Norm adds it to the mean square before the inverse square root");

    public static readonly DiagnosticDescriptor UnusedInvalidEps = new(
        "PCG0010", "PolyCom Eps is invalid and unused",
        "Eps = {0} is not a positive number within float32's range; it is unused because Inner = \"{1}\" is not Norm, so remove it",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink("PCG0010"));

    public static readonly DiagnosticDescriptor DuplicateAttribute = Error(
        "PCG0011", "PolyCom applied more than once",
        "The class '{0}' has [PolyCom] more than once; one class declares one activation");

    public static readonly DiagnosticDescriptor MemberConflict = Error(
        "PCG0012", "Member conflicts with a generated member",
        "The class '{0}' already declares '{1}', which the generator adds; rename or remove it");

    public static readonly DiagnosticDescriptor BaseClassConflict = Error(
        "PCG0013", "PolyCom class must not declare a base class",
        "The class '{0}' derives from '{1}'; the generator makes it a TorchSharp Module<Tensor, Tensor>, so remove the base class");

    public static readonly DiagnosticDescriptor MalformedExpression = Error(
        "PCG0014", "Inner expression is malformed",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionUnknownName = Error(
        "PCG0015", "Unknown name in Inner expression",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionExponent = Error(
        "PCG0016", "Exponent in Inner expression is not a whole-number constant",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionNormNotOutermost = Error(
        "PCG0017", "norm() must enclose the whole Inner expression",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionConstant = Error(
        "PCG0018", "Inner expression does not depend on x",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionDivisionByZero = Error(
        "PCG0019", "Division by zero in Inner expression",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionArgumentCount = Error(
        "PCG0020", "Wrong number of arguments in Inner expression",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionTooLarge = Error(
        "PCG0021", "Inner expression exceeds a limit",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ExpressionConstantRange = Error(
        "PCG0022", "Inner expression needs a constant beyond float32",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor MalformedParameters = Error(
        "PCG0023", "Parameters is malformed",
        "Parameters: {0}");

    public static readonly DiagnosticDescriptor InvalidParameterName = Error(
        "PCG0024", "Parameter name is reserved",
        "Parameters: {0}");

    public static readonly DiagnosticDescriptor DuplicateParameter = Error(
        "PCG0025", "Parameter declared twice",
        "Parameters: {0}");

    public static readonly DiagnosticDescriptor InvalidParameterValue = Error(
        "PCG0026", "Parameter's initial value is invalid",
        "Parameters: {0}");

    public static readonly DiagnosticDescriptor UnusedParameter = Error(
        "PCG0027", "Parameter declared and not used",
        "Parameters: '{0}' is declared but {1} does not use it; use it or remove it");

    public static readonly DiagnosticDescriptor InvalidGroups = Error(
        "PCG0028", "Groups is invalid",
        "{0}");

    public static readonly DiagnosticDescriptor InvalidShared = Error(
        "PCG0029", "Shared names no parameter",
        "Shared: {0}");

    public static readonly DiagnosticDescriptor InvalidFit = Error(
        "PCG0030", "Fit is invalid",
        "Fit: {0}");

    public static readonly DiagnosticDescriptor FitNotConverged = new(
        "PCG0031", "Fit did not converge",
        "Fit = \"{0}\": the least-squares fit did not converge; the initial values it reached approximate the target on [{2}, {3}] with a largest error of {1}",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink("PCG0031"));

    public static readonly DiagnosticDescriptor InvalidExperts = Error(
        "PCG0032", "Experts is invalid",
        "{0}");

    public static readonly DiagnosticDescriptor UnquotedString = Error(
        "PCG0033", "String argument written without quotes",
        "{0} is a string: write {1}");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "PCG0099", "PolyComGen failed on this declaration",
        "The generator failed on '{0}' ({1}): {2}. This is a bug in PolyComGen; please report it with the declaration");

    public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
    {
        ClassNotPartial, NotAClass, GenericClass, ContainingTypeNotPartial, StaticOrAbstractClass, OrderOutOfRange,
        UnknownInner, TypeOutOfRange, InvalidEps, UnusedInvalidEps, DuplicateAttribute, MemberConflict, BaseClassConflict,
        MalformedExpression, ExpressionUnknownName, ExpressionExponent, ExpressionNormNotOutermost, ExpressionConstant,
        ExpressionDivisionByZero, ExpressionArgumentCount, ExpressionTooLarge, ExpressionConstantRange, MalformedParameters,
        InvalidParameterName, DuplicateParameter, InvalidParameterValue, UnusedParameter, InvalidGroups, InvalidShared, InvalidFit, FitNotConverged, InvalidExperts, UnquotedString, InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdMap = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => ByIdMap[id];

    /// <summary>
    /// Where the diagnostics are documented: each descriptor's help link is this and its ID in lower case, the anchor of
    /// its row in docs/diagnostics.md (the file ships in the package too).
    /// </summary>
    public const string HelpLinkBase = "docs/diagnostics.md#";

    private static string HelpLink(string id) => HelpLinkBase + id.ToLowerInvariant();

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
