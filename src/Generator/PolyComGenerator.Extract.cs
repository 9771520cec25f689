using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Composition;
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
