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
    /// <summary>The members the generator adds, which the class must not declare itself.</summary>
    internal static readonly string[] GeneratedMemberNames = { "forward", "weight", "bias", "Weight", "Bias", "EagerForward", "Spec", "CudaSource", "TorchSource", "PolyComKernels" };

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

        CheckDeclaration(type, declaration, identifier, diagnostics);
        cancellationToken.ThrowIfCancellationRequested();

        AttributeData attribute = context.Attributes[0];
        SpecModel? spec = ReadSpec(attribute, identifier, diagnostics);

        bool hasErrors = diagnostics.Any(d => ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
        PolyComModel? model = hasErrors || spec is null ? null : new PolyComModel(ReadHierarchy(type), spec);
        return new Result<PolyComModel>(model, diagnostics.ToEquatableArray());
    }

    private static void CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, Location identifier, List<DiagnosticInfo> diagnostics)
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

        int applications = type.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == AttributeMetadataName);
        if (applications > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DuplicateAttribute, identifier, name));
        }

        INamedTypeSymbol? baseType = type.BaseType;
        if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && baseType.TypeKind != TypeKind.Error && !IsTorchSharpModule(baseType))
        {
            Location where = declaration.BaseList?.Types.FirstOrDefault()?.GetLocation() ?? identifier;
            diagnostics.Add(DiagnosticInfo.Create(BaseClassConflict, where, name, baseType.ToDisplayString()));
        }

        foreach (string member in GeneratedMemberNames)
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

    private static SpecModel? ReadSpec(AttributeData attribute, Location fallback, List<DiagnosticInfo> diagnostics)
    {
        int order = KernelContract.DefaultOrder, type = KernelContract.DefaultType;
        string? inner = KernelContract.DefaultInner;
        double eps = KernelContract.DefaultEps;
        bool epsGiven = false, gated = false, readable = true;
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
            }
        }

        Location At(string argumentName) => ArgumentLocation(attribute, argumentName) ?? fallback;
        bool valid = readable;
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
        if (inner is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(UnknownInner, At("Inner"), "null", "", string.Join(", ", BuiltInFunctions.Names)));
            valid = false;
        }
        else
        {
            InnerParseResult parsed = InnerParser.Parse(inner);
            function = parsed.Inner;
            if (parsed.Error is ExpressionError error)
            {
                diagnostics.Add(ExpressionDiagnostic(error, inner, InnerLocation(attribute, error) ?? At("Inner")));
                valid = false;
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
        if (!valid)
        {
            return null;
        }
        var spec = new SpecModel(type, order, function!.Normalized ? eps : KernelContract.DefaultEps, gated, function);
        if (PlanConstants.FirstOutOfRange(spec) is double constant)
        {
            string message = InnerParser.ConstantRangeMessage(constant.ToString("G3", CultureInfo.InvariantCulture))
                + $"; Type {type}, order {order} of this expression needs it after simplification and differentiation";
            diagnostics.Add(DiagnosticInfo.Create(ExpressionConstantRange, At("Inner"), message));
            return null;
        }
        return spec;
    }

    // Eps is added in float32 by the kernels: it must stay a positive finite number there (1e-50 would become 0).
    private static bool IsFloat32Positive(double value) => value > 0 && value <= KernelContract.Float32Max && (float)value > 0;

    private static DiagnosticInfo ExpressionDiagnostic(ExpressionError error, string inner, Location location)
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
        return DiagnosticInfo.Create(descriptor, location, error.Message);
    }

    /// <summary>
    /// Where <paramref name="error"/> is in the source: its characters inside the Inner string literal, when the
    /// literal spells its value character for character (no escape sequences); null otherwise.
    /// </summary>
    private static Location? InnerLocation(AttributeData attribute, ExpressionError error)
    {
        if (ArgumentSyntax(attribute, "Inner")?.Expression is not LiteralExpressionSyntax { Token: var token } literal
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
        int start = token.SpanStart + offset + error.Start;
        int end = Math.Min(start + error.Length, token.Span.End);
        return Location.Create(literal.SyntaxTree, new Microsoft.CodeAnalysis.Text.TextSpan(start, Math.Max(end - start, 0)));
    }

    private static AttributeArgumentSyntax? ArgumentSyntax(AttributeData attribute, string argumentName) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == argumentName);

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
