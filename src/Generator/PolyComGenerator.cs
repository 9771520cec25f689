using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Emitters.CSharp;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator;

/// <summary>
/// Completes each <c>[PolyCom]</c> partial class as a TorchSharp module with fused kernels, and writes the
/// assembly's registry of activations.
/// </summary>
/// <remarks>
/// The path of a spec: attribute → <see cref="SpecModel"/> (this generator's Extract step) → expression IR
/// (Expressions/) → kernel plans (Composition/) → emitters (Emitters/: C# kernels and module, CUDA, eager ops) →
/// the runtime library, which reads the kernel contract (Contract/) the emitters follow.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class PolyComGenerator : IIncrementalGenerator
{
    /// <summary>The attribute of a PolyCom declaration, which one pipeline keys on.</summary>
    public const string AttributeMetadataName = "PolyComGen.PolyComAttribute";

    /// <summary>The attribute of an activation without a polynomial, which the other pipeline keys on.</summary>
    public const string ActivationAttributeMetadataName = "PolyComGen.ActivationAttribute";

    /// <summary>Tracking names of the pipeline's steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        /// <summary>Attribute → model and diagnostics.</summary>
        public const string Extract = nameof(Extract);

        /// <summary>The diagnostics, split from the model.</summary>
        public const string Diagnostics = nameof(Diagnostics);

        /// <summary>The valid models, without diagnostics.</summary>
        public const string Models = nameof(Models);

        /// <summary>Each valid model's generated module, or the internal error that stopped it.</summary>
        public const string Modules = nameof(Modules);

        /// <summary>The entries of the assembly's registry.</summary>
        public const string Registry = nameof(Registry);
    }

    /// <summary>
    /// A model's module. Extract has validated and lowered the model, so emitting cannot fail by design; should a bug
    /// make it throw, the user gets PCG0099 naming the class (rather than the compiler's CS8785 and no pointer at all),
    /// and the registry leaves the class out, so no generated code names the members it lacks.
    /// </summary>
    private static EmittedModule Emit(PolyComModel model)
    {
        try
        {
            return new EmittedModule(model.Hierarchy, ModuleEmitter.Emit(model.Hierarchy, model.Lowered), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new EmittedModule(model.Hierarchy, null, InternalError(model.Hierarchy.ClassName, model.Spec.Attribute, e, null));
        }
    }

    /// <summary>PCG0099 for an exception the generator threw on a class, where the class is (or nowhere).</summary>
    private static DiagnosticInfo InternalError(string className, string attribute, Exception e, Location? location) =>
        DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.InternalError, location, className, attribute, e.GetType().Name + ": " + e.Message);

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<PolyComModel>> Declarations(string attribute) => context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (attributeContext, cancellationToken) => Extract(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Extract);
        IncrementalValuesProvider<Result<PolyComModel>> polyComs = Declarations(AttributeMetadataName);
        IncrementalValuesProvider<Result<PolyComModel>> activations = Declarations(ActivationAttributeMetadataName);

        // Each declaration's diagnostics, and its module when it is valid.
        IncrementalValueProvider<System.Collections.Immutable.ImmutableArray<RegistryEntry>> Modules(IncrementalValuesProvider<Result<PolyComModel>> results)
        {
            IncrementalValuesProvider<DiagnosticInfo> diagnostics = results
                .SelectMany(static (result, _) => result.Diagnostics.AsSpan().ToArray())
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));

            IncrementalValuesProvider<EmittedModule> modules = results
                .Where(static result => result.Value is not null)
                .Select(static (result, _) => result.Value!)
                .WithTrackingName(TrackingNames.Models)
                .Select(static (model, _) => Emit(model))
                .WithTrackingName(TrackingNames.Modules);
            context.RegisterSourceOutput(modules, static (output, module) =>
            {
                if (module.Source is not null)
                {
                    output.AddSource($"{module.Hierarchy.MetadataName}.g.cs", module.Source);
                }
                else if (module.Failure is not null)
                {
                    output.ReportDiagnostic(module.Failure.ToDiagnostic());
                }
            });
            return modules
                .Where(static module => module.Source is not null && module.Hierarchy.RegistryReference is not null)
                .Select(static (module, _) => new RegistryEntry(module.Hierarchy.ClassName, module.Hierarchy.RegistryReference!))
                .Collect();
        }

        IncrementalValueProvider<string> rootNamespace = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue("build_property.RootNamespace", out string? value) ? value.Trim() : "");
        // The registry lists the [PolyCom] declarations, then the [Activation] ones, each in declaration order.
        IncrementalValueProvider<(EquatableArray<RegistryEntry> Entries, string Namespace)> registry = Modules(polyComs)
            .Combine(Modules(activations))
            .Select(static (entries, _) => entries.Left.AddRange(entries.Right).ToEquatableArray())
            .Combine(rootNamespace)
            .WithTrackingName(TrackingNames.Registry);
        context.RegisterSourceOutput(registry, static (output, registry) =>
        {
            if (registry.Entries.Length > 0)
            {
                output.AddSource($"{RegistryEmitter.ClassName}.g.cs", RegistryEmitter.Emit(registry.Entries.AsSpan().ToArray(), registry.Namespace));
            }
        });
    }
}
