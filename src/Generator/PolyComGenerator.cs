using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator;

/// <summary>
/// Completes each <c>[PolyCom]</c> partial class as a TorchSharp module with fused kernels: the C# CPU
/// kernels and autograd glue, and the CUDA translation unit exposed as <c>CudaSource</c>.
/// </summary>
/// <remarks>
/// The path of a spec: attribute → <see cref="SpecModel"/> (this file's Extract step) → expression IR
/// (Expressions/) → emitters (Emitters/: C# kernels, CUDA kernels, the module) → the runtime library.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class PolyComGenerator : IIncrementalGenerator
{
    /// <summary>The attribute the pipeline keys on.</summary>
    public const string AttributeMetadataName = "PolyComGen.PolyComAttribute";

    /// <summary>Tracking names of the pipeline's steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        /// <summary>Attribute → model and diagnostics.</summary>
        public const string Extract = nameof(Extract);

        /// <summary>The diagnostics, split from the model.</summary>
        public const string Diagnostics = nameof(Diagnostics);

        /// <summary>The valid models, without diagnostics.</summary>
        public const string Models = nameof(Models);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<PolyComModel>> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeMetadataName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (attributeContext, cancellationToken) => Extract(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Extract);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = results
            .SelectMany(static (result, _) => result.Diagnostics.AsSpan().ToArray())
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));

        IncrementalValuesProvider<PolyComModel> models = results
            .Where(static result => result.Value is not null)
            .Select(static (result, _) => result.Value!)
            .WithTrackingName(TrackingNames.Models);
        context.RegisterSourceOutput(models, static (output, model) =>
            output.AddSource($"{model.Hierarchy.MetadataName}.g.cs", Emitters.ModuleEmitter.Emit(model)));
    }
}
