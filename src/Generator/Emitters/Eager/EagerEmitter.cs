using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// Writes a spec's plans as eager TorchSharp code on the kernel type: <c>EagerForward</c>, the forward plan as
/// differentiable ops, which autograd differentiates, for reference and comparison; and <c>EagerBackward</c>, the
/// fused backward's closed forms as differentiable ops, which the autograd function runs when a graph of the
/// gradients is wanted (create_graph: gradient penalties, Hessian-vector products).
/// </summary>
internal static class EagerEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    public static void Emit(IndentedTextWriter writer, SpecModel spec, KernelPlan forward, KernelPlan backward)
    {
        writer.WriteLine("/// <inheritdoc/>");
        using (writer.Block($"public static {Tensor} EagerForward({Tensor} x, {Tensor}? gate, {Tensor} parameters)"))
        {
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            new EagerProgram(new TorchSharpTarget(), [ElementOutput.Y], body => $"return {body[0]}.MoveToOuterDisposeScope();", spec.Groups).Walk(writer, forward);
        }
        writer.WriteLine();
        writer.WriteLine("/// <inheritdoc/>");
        using (writer.Block($"public static ({Tensor} Dx, {Tensor} Dparameters, {Tensor}? Dgate) EagerBackward({Tensor} x, {Tensor}? gate, {Tensor} dy, {Tensor} parameters)"))
        {
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            ElementOutput[] outputs = spec.Gated ? [ElementOutput.Dx, ElementOutput.Dgate] : [ElementOutput.Dx];
            var target = new TorchSharpTarget();
            string gradient = backward.HasGradients ? EagerProgram.Gradient : target.NoParameters;
            new EagerProgram(target, outputs, body =>
                $"return ({body[0]}.MoveToOuterDisposeScope(), {gradient}.MoveToOuterDisposeScope(), {(spec.Gated ? body[1] + ".MoveToOuterDisposeScope()" : "null")});", spec.Groups).Walk(writer, backward);
        }
    }
}
