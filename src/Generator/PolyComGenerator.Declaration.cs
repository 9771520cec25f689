using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Expressions.Language;
using PolyComGen.Generator.Models;
using static PolyComGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace PolyComGen.Generator;

public sealed partial class PolyComGenerator
{
    // The declaration rules: what the annotated type must be (a partial, non-generic, non-static class, in partial
    // types, deriving from nothing or TorchSharp's Module, declaring none of the generated members), apart from its spec.
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
}
