using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.CSharp;

/// <summary>
/// Writes a spec's kernel type: its descriptor, and its forward and backward plans as C# CPU kernels on spans, for
/// float and double (lowered by <see cref="CSharpKernelDialect"/>), and as eager TorchSharp ops. Norm kernels take one
/// row; elementwise kernels any run of elements.
/// </summary>
internal static class CSharpKernelEmitter
{
    public const string StructName = "PolyComKernels";

    private const string Span = "global::System.Span";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan";

    // Kernels are hot loops from their first call: compile them optimised at once rather than through tier 0.
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    public static void Emit(IndentedTextWriter writer, LoweredSpec lowered, string className)
    {
        SpecModel spec = lowered.Spec;
        KernelPlan forward = lowered.CpuForward, backward = lowered.CpuBackward;
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// The fused kernels of this spec: on spans for the CPU, as the runtime's CPU backend runs them (callable directly");
        writer.WriteLine("/// for data that is not in tensors), and as eager TorchSharp ops.");
        writer.WriteLine("/// </summary>");
        using (writer.Block($"public readonly struct {StructName} : global::PolyComGen.Contract.IPolyComKernel"))
        {
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine($"public static global::PolyComGen.Contract.KernelDescriptor Descriptor {{ get; }} = new(\"{className}\", {className}.Spec, rowwise: {Bool(forward.Rowwise)}, gated: {Bool(spec.Gated)}, {className}.CudaSource, global::PolyComGen.Contract.CpuKernels<{StructName}>.Instance, {ParameterNames(lowered.Slots)}, groups: {spec.Groups}, experts: {spec.Experts}, forwardOperations: {OperationCount.PerElement(lowered.Forward)}, backwardOperations: {OperationCount.PerElement(lowered.Backward)});");
            foreach (CSharpScalarDialect numeric in new[] { CSharpScalarDialect.Float, CSharpScalarDialect.Double })
            {
                string t = numeric.TypeName;
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc/>");
                writer.WriteLine(AggressiveOptimization);
                using (writer.Block($"public static void Forward({ReadOnlySpan}<{t}> x, {ReadOnlySpan}<{t}> gate, {Span}<{t}> y, {ReadOnlySpan}<{t}> parameters)"))
                {
                    new CSharpKernelDialect(numeric, spec.Groups).Walk(writer, forward);
                }
                writer.WriteLine();
                writer.WriteLine("/// <inheritdoc/>");
                writer.WriteLine(AggressiveOptimization);
                using (writer.Block($"public static void Backward({ReadOnlySpan}<{t}> x, {ReadOnlySpan}<{t}> gate, {ReadOnlySpan}<{t}> dy, {Span}<{t}> dx, {Span}<{t}> dgate, {ReadOnlySpan}<{t}> parameters, {Span}<{t}> partials)"))
                {
                    new CSharpKernelDialect(numeric, spec.Groups).Walk(writer, backward);
                }
            }
            writer.WriteLine();
            Eager.EagerEmitter.Emit(writer, spec, lowered.EagerForward, lowered.Backward);
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    // The names of the parameter slots, as the descriptor lists them: weight[0] ..., bias, then the named parameters.
    private static string ParameterNames(SlotTable slots)
    {
        var names = slots.Entries.SelectMany(e => !e.Vector ? [e.Name] : Enumerable.Range(0, e.Length).Select(k => $"{e.Name}[{k}]"));
        return "new string[] { " + string.Join(", ", names.Select(ModuleEmitter.Literal)) + " }";
    }
}
