using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Expressions.Language;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;
using static PolyComGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace PolyComGen.Generator;

public sealed partial class PolyComGenerator
{
    /// <summary>
    /// Reads one annotated class into a <see cref="PolyComModel"/> and its diagnostics. Keeps no symbol,
    /// syntax node or compilation, and never throws on malformed code: what cannot be read is reported or
    /// left to the compiler's own errors.
    /// </summary>
    private static Result<PolyComModel> Extract(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.IsEmpty)
        {
            return new Result<PolyComModel>(null, EquatableArray<DiagnosticInfo>.Empty);
        }
        Location identifier = declaration.Identifier.GetLocation();

        AttributeData attribute = context.Attributes[0];
        bool polynomial = attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName;
        CheckDeclaration(type, declaration, identifier, polynomial, diagnostics);
        cancellationToken.ThrowIfCancellationRequested();
        if (polynomial && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ActivationAttributeMetadataName))
        {
            // [PolyCom] and [Activation] on one class: the [Activation] pipeline reports it; neither is generated.
            return new Result<PolyComModel>(null, diagnostics.ToEquatableArray());
        }

        SpecModel? spec = ReadSpec(attribute, identifier, polynomial, diagnostics);
        if (spec is not null)
        {
            foreach (LearnedParameter parameter in spec.Learned)
            {
                if (parameter.Name == type.Name)
                {
                    diagnostics.Add(DiagnosticInfo.Create(InvalidParameterName, ArgumentLocation(attribute, "Parameters") ?? identifier,
                        $"'{parameter.Name}' cannot name a parameter of the class {type.Name}: a C# member cannot be named as its class"));
                }
                foreach (ISymbol existing in type.GetMembers(parameter.Name).Where(m => !m.IsImplicitlyDeclared))
                {
                    diagnostics.Add(DiagnosticInfo.Create(MemberConflict, existing.Locations.FirstOrDefault() ?? identifier, type.Name, parameter.Name));
                }
            }
        }

        bool hasErrors = diagnostics.Any(d => ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
        LoweredSpec? lowered = hasErrors || spec is null ? null : Lower(spec, attribute, identifier, type.Name, diagnostics);
        PolyComModel? model = lowered is null ? null : new PolyComModel(ReadHierarchy(type), spec!, lowered);
        return new Result<PolyComModel>(model, diagnostics.ToEquatableArray());
    }

    private static void CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, Location identifier, bool polynomial, List<DiagnosticInfo> diagnostics)
    {
        string name = type.Name;
        if (type.TypeKind != TypeKind.Class || type.IsRecord)
        {
            string kind = type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record") : KindWord(type.TypeKind);
            diagnostics.Add(DiagnosticInfo.Create(NotAClass, identifier, name, kind));
            return;
        }
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(ClassNotPartial, identifier, name));
        }
        if (!type.TypeParameters.IsEmpty)
        {
            diagnostics.Add(DiagnosticInfo.Create(GenericClass, declaration.TypeParameterList?.GetLocation() ?? identifier, name));
        }
        if (type.IsStatic || type.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(StaticOrAbstractClass, identifier, name, type.IsStatic ? "static" : "abstract"));
        }
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool partial = outer.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax())
                .OfType<TypeDeclarationSyntax>()
                .All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                diagnostics.Add(DiagnosticInfo.Create(ContainingTypeNotPartial, identifier, name, outer.Name));
            }
        }

        // One declaration per class: [PolyCom] or [Activation], once. A class with one of each is reported by the [Activation] pipeline.
        var attributes = type.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).ToList();
        int own = attributes.Count(a => a == (polynomial ? AttributeMetadataName : ActivationAttributeMetadataName));
        if (own > 1 || (!polynomial && attributes.Contains(AttributeMetadataName)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DuplicateAttribute, identifier, name));
        }

        INamedTypeSymbol? baseType = type.BaseType;
        if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && baseType.TypeKind != TypeKind.Error && !IsTorchSharpModule(baseType))
        {
            Location where = declaration.BaseList?.Types.FirstOrDefault()?.GetLocation() ?? identifier;
            diagnostics.Add(DiagnosticInfo.Create(BaseClassConflict, where, name, baseType.ToDisplayString()));
        }

        foreach (string member in ReservedNames.GeneratedMembers)
        {
            foreach (ISymbol existing in type.GetMembers(member).Where(m => !m.IsImplicitlyDeclared))
            {
                diagnostics.Add(DiagnosticInfo.Create(MemberConflict, existing.Locations.FirstOrDefault() ?? identifier, name, member));
            }
        }
        foreach (IMethodSymbol constructor in type.InstanceConstructors.Where(c => !c.IsImplicitlyDeclared && c.Parameters.IsEmpty))
        {
            diagnostics.Add(DiagnosticInfo.Create(MemberConflict, constructor.Locations.FirstOrDefault() ?? identifier, name, name + "()"));
        }
    }

    private static bool IsTorchSharpModule(INamedTypeSymbol type)
    {
        INamedTypeSymbol definition = type.OriginalDefinition;
        return definition.MetadataName == "Module`2"
            && definition.ContainingType?.MetadataName == "nn"
            && definition.ContainingType.ContainingType?.MetadataName == "torch"
            && type.TypeArguments.All(t => t.Name == "Tensor");
    }

    private static string KindWord(TypeKind kind) => kind switch
    {
        TypeKind.Struct => "struct",
        TypeKind.Interface => "interface",
        TypeKind.Enum => "enum",
        TypeKind.Delegate => "delegate",
        _ => "type",
    };

    // The expression argument of each attribute: Inner = "..." on [PolyCom], the constructor's first on [Activation].
    private static string ExpressionArgument(bool polynomial) => polynomial ? "Inner" : "";

    private static SpecModel? ReadSpec(AttributeData attribute, Location fallback, bool polynomial, List<DiagnosticInfo> diagnostics)
    {
        int order = KernelContract.DefaultOrder, type = KernelContract.DefaultType;
        string? inner = KernelContract.DefaultInner, parametersText = "", sharedText = "", fitText = "";
        int groups = 1;
        double eps = KernelContract.DefaultEps;
        bool epsGiven = false, gated = false, readable = true;
        if (!polynomial)
        {
            // [Activation("expression")]: the activation itself, as Type 1 of order 1 without weights or bias.
            order = 1;
            type = 1;
            TypedConstant expression = attribute.ConstructorArguments.FirstOrDefault();
            readable = attribute.ConstructorArguments.Length == 1 && expression.Kind != TypedConstantKind.Error;
            inner = readable ? expression.Value as string : "";
        }
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            TypedConstant value = argument.Value;
            if (value.Kind == TypedConstantKind.Error)
            {
                readable = false; // the compiler reports the bad argument itself
                continue;
            }
            switch (argument.Key)
            {
                case "Order" when value.Value is int i:
                    order = i;
                    break;
                case "Type" when value.Value is int i:
                    type = i;
                    break;
                case "Inner":
                    inner = value.Value as string;
                    break;
                case "Eps" when value.Value is double d:
                    eps = d;
                    epsGiven = true;
                    break;
                case "Gated" when value.Value is bool g:
                    gated = g;
                    break;
                case "Parameters":
                    parametersText = value.Value as string;
                    break;
                case "Groups" when value.Value is int g:
                    groups = g;
                    break;
                case "Shared":
                    sharedText = value.Value as string;
                    break;
                case "Fit":
                    fitText = value.Value as string;
                    break;
            }
        }

        Location At(string argumentName) => ArgumentLocation(attribute, argumentName) ?? fallback;
        bool valid = readable;
        string what = polynomial ? "Inner expression" : "Activation expression";

        // The learnable parameters, each a variable in its slot: after a PolyCom's weights and bias.
        var declared = new List<DeclaredParameter>();
        bool parametersRead = false;
        if (parametersText is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(MalformedParameters, At("Parameters"), "Parameters is null; write name = value pairs, as in \"beta = 1\""));
            valid = false;
        }
        else
        {
            var (list, parameterError) = ParameterParser.Parse(parametersText);
            if (parameterError is not null)
            {
                diagnostics.Add(ParameterDiagnostic(parameterError, StringLocation(attribute, "Parameters", parameterError.Start, parameterError.Length) ?? At("Parameters")));
                valid = false;
            }
            else
            {
                declared.AddRange(list);
                parametersRead = true;
            }
        }
        int firstSlot = KernelContract.Slots(polynomial, order, 0);
        var variables = declared.Select((p, j) => (p.Name, Variable: PlanVariables.Learned(p.Name, firstSlot + j))).ToDictionary(p => p.Name, p => p.Variable);
        if (order is < KernelContract.MinOrder or > KernelContract.MaxOrder)
        {
            diagnostics.Add(DiagnosticInfo.Create(OrderOutOfRange, At("Order"), order.ToString(CultureInfo.InvariantCulture)));
            valid = false;
        }
        if (type is not (1 or 2))
        {
            diagnostics.Add(DiagnosticInfo.Create(TypeOutOfRange, At("Type"), type.ToString(CultureInfo.InvariantCulture)));
            valid = false;
        }
        InnerFunction? function = null;
        if (!parametersRead)
        {
            // The expression's names cannot be checked against a Parameters string that could not be read.
        }
        else if (inner is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(UnknownInner, At("Inner"), "null", "", string.Join(", ", BuiltInFunctions.Names)));
            valid = false;
        }
        else
        {
            InnerParseResult parsed = InnerParser.Parse(inner, variables);
            function = parsed.Inner;
            Location expressionLocation = (polynomial ? ArgumentLocation(attribute, "Inner") : ConstructorArgumentLocation(attribute)) ?? fallback;
            if (parsed.Error is ExpressionError error)
            {
                diagnostics.Add(ExpressionDiagnostic(error, inner, what, StringLocation(attribute, ExpressionArgument(polynomial), error.Start, error.Length) ?? expressionLocation));
                valid = false;
            }
            else if (function is not null)
            {
                var used = new HashSet<string>(function.Body.VariableNodes().Where(v => v.Role == VariableRole.Parameter).Select(v => v.Name));
                foreach (DeclaredParameter parameter in declared.Where(p => !used.Contains(variables[p.Name].Name)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(UnusedParameter, StringLocation(attribute, "Parameters", parameter.Start, parameter.Length) ?? At("Parameters"),
                        parameter.Name, polynomial ? "Inner" : "the expression"));
                    valid = false;
                }
            }
        }
        if (epsGiven && !IsFloat32Positive(eps))
        {
            string shown = eps.ToString("R", CultureInfo.InvariantCulture);
            if (function is null || function.Normalized)
            {
                diagnostics.Add(DiagnosticInfo.Create(InvalidEps, At("Eps"), shown));
                valid = false;
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(UnusedInvalidEps, At("Eps"), shown, function.Text));
            }
        }
        if (groups is < 1 or > KernelContract.MaxGroups)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidGroups, At("Groups"), $"Groups = {groups.ToString(CultureInfo.InvariantCulture)} is outside 1 to {KernelContract.MaxGroups}"));
            valid = false;
        }
        var shared = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (sharedText is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidShared, At("Shared"), "Shared is null; list the parameters shared by all groups, as in \"a0, a1\""));
            valid = false;
        }
        else if (parametersRead)
        {
            foreach (var (name, start) in SharedNames(sharedText))
            {
                string? problem = !declared.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                    ? $"'{name}' is not a parameter of this declaration; Parameters declares {(declared.Count == 0 ? "none" : string.Join(", ", declared.Select(p => p.Name)))}"
                    : !shared.Add(name) ? $"'{name}' is listed twice" : null;
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(InvalidShared, StringLocation(attribute, "Shared", start, name.Length) ?? At("Shared"), problem));
                    valid = false;
                    break;
                }
            }
        }
        // Fit: a target expression of x, for an elementwise activation with named parameters.
        Expr? fitTarget = null;
        if (fitText is null || fitText.Trim().Length > 0)
        {
            string? problem = null;
            if (fitText is null)
            {
                problem = "Fit is null; write the expression of x to fit, as in \"gelu(x)\"";
            }
            else if (function is { Normalized: true })
            {
                problem = "a normalised activation depends on the whole row, so it cannot be fitted to a function of x";
            }
            else if (declared.Count == 0)
            {
                problem = "the declaration has no Parameters to fit";
            }
            else
            {
                InnerParseResult target = InnerParser.Parse(fitText);
                if (target.Error is ExpressionError fitError)
                {
                    diagnostics.Add(DiagnosticInfo.Create(InvalidFit, StringLocation(attribute, "Fit", fitError.Start, fitError.Length) ?? At("Fit"), fitError.Message));
                    valid = false;
                }
                else if (target.Inner!.Normalized)
                {
                    problem = "the target is normalised over a row; fit to an elementwise expression of x";
                }
                else
                {
                    fitTarget = target.Inner.Body;
                }
            }
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(InvalidFit, At("Fit"), problem));
                valid = false;
            }
        }
        if (!valid)
        {
            return null;
        }
        var spec = new SpecModel(type, order, function!.Normalized ? eps : KernelContract.DefaultEps, gated, function)
        {
            Polynomial = polynomial,
            Learned = declared.Select((p, j) => new LearnedParameter(p.Name, p.Initial, shared.Contains(p.Name), firstSlot + j)).ToEquatableArray(),
            ParametersText = declared.Count == 0 ? "" : InnerParser.Display(parametersText!),
            Groups = groups,
            SharedText = shared.Count == 0 ? "" : string.Join(", ", declared.Where(p => shared.Contains(p.Name)).Select(p => p.Name)),
        };
        if (fitTarget is not null)
        {
            Fitting.Result fit = Fitting.Fit(spec, fitTarget);
            spec = spec with
            {
                Learned = spec.Learned.Select((p, j) => p with { Initial = Fitting.IsFinite(fit.Values[j]) ? fit.Values[j] : p.Initial }).ToEquatableArray(),
                FitText = InnerParser.Display(fitText!),
                FitError = fit.MaxError,
            };
            if (!fit.Converged || !Fitting.IsFinite(fit.MaxError))
            {
                diagnostics.Add(DiagnosticInfo.Create(FitNotConverged, At("Fit"), InnerParser.Display(fitText!),
                    fit.MaxError.ToString("G3", CultureInfo.InvariantCulture), Fitting.Low.ToString(CultureInfo.InvariantCulture), Fitting.High.ToString(CultureInfo.InvariantCulture)));
            }
        }
        return spec;
    }

    /// <summary>
    /// Lowers a valid spec once (<see cref="LoweredSpec"/>), for the output step to emit: null, with the diagnostic, when
    /// its plans need a constant beyond float32 (PCG0022 on the expression) or, through a bug, lowering throws (PCG0099 on
    /// the class, which then gets neither a module nor a registry entry).
    /// </summary>
    private static LoweredSpec? Lower(SpecModel spec, AttributeData attribute, Location identifier, string className, List<DiagnosticInfo> diagnostics)
    {
        LoweredSpec lowered;
        try
        {
            lowered = LoweredSpec.Lower(spec);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(InternalError(className, spec.Attribute, e, identifier));
            return null;
        }
        if (lowered.FirstConstantOutOfRange is double constant)
        {
            string message = InnerParser.ConstantRangeMessage(constant.ToString("G3", CultureInfo.InvariantCulture))
                + $"; Type {spec.Type}, order {spec.Order} of this expression needs it after simplification and differentiation";
            Location where = (spec.Polynomial ? ArgumentLocation(attribute, "Inner") : ConstructorArgumentLocation(attribute)) ?? identifier;
            diagnostics.Add(DiagnosticInfo.Create(ExpressionConstantRange, where, spec.Polynomial ? "Inner expression" : "Activation expression", message));
            return null;
        }
        return lowered;
    }

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

    private static HierarchyInfo ReadHierarchy(INamedTypeSymbol type)
    {
        var containing = new List<INamedTypeSymbol>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, outer);
        }
        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string metadataName = string.Join("+", containing.Select(t => t.MetadataName).Concat(new[] { type.MetadataName }));
        if (ns.Length > 0)
        {
            metadataName = ns + "." + metadataName;
        }
        // The registry, a class of the same assembly, can name the type when it and every type around it are at least
        // internal and none is generic.
        bool reachable = containing.Concat(new[] { type }).All(t => t.TypeParameters.IsEmpty &&
            t.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal);
        string? reference = reachable ? type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
        return new HierarchyInfo(
            metadataName,
            ns,
            type.Name,
            containing.Select(DeclarationHeader).ToEquatableArray(),
            reference);
    }

    private static string DeclarationHeader(INamedTypeSymbol type)
    {
        string keyword = type.IsRecord
            ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
            : type.TypeKind switch { TypeKind.Struct => "struct", TypeKind.Interface => "interface", _ => "class" };
        string typeParameters = type.TypeParameters.IsEmpty ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        return $"partial {keyword} {type.Name}{typeParameters}";
    }
}
