using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// Eager TorchSharp ops, tensor-tensor only: constants become 0-dimensional tensors in the input's dtype and
/// device, and + goes through a helper with a long-lived alpha, so that no Scalar temporary is ever passed to
/// native code (TorchSharp does not keep such temporaries alive across the call).
/// </summary>
internal sealed class TorchSharpTarget : EagerTarget
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Math = "global::PolyComGen.Eager.EagerMath";

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.Eager, arguments);

    public override string Declare(string name, string value) => $"{Tensor} {name} = {value};";

    public override string Assign(string name, string value) => $"{name} = {value};";

    public override System.IDisposable? Scope(IndentedTextWriter writer) => writer.Block("");

    public override string Reduce(ReductionKind kind, bool rowwise, string value) => (kind, rowwise) switch
    {
        (ReductionKind.Sum, true) => $"{Math}.RowSum({value})",
        (ReductionKind.Sum, false) => $"{Math}.Total({value})",
        (ReductionKind.Max, true) => $"{Math}.RowMax({value})",
        _ => $"{Math}.TotalMax({value})",
    };

    public override string Stack(IEnumerable<string> parts) => $"{Math}.Stack({string.Join(", ", parts)})";

    public override string SelectWeight(string name, int index) => $"{Tensor} {name} = weight.select(0, {index});";

    public override string RowLength(string name) => $"{Tensor} {name} = {Math}.Constant(x.shape[^1], x);";

    public override string ConstantDeclaration(string name, double value) => $"{Tensor} {name} = {Math}.Constant({RealLiteral(value)}, x);";

    public override string Variable(string name) => name switch
    {
        PlanNames.Upstream => "dy",
        PlanNames.Gate => "gate!",
        PlanNames.Bias => "bias",
        _ => name,
    };
}

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
        using (writer.Block($"public static {Tensor} EagerForward({Tensor} x, {Tensor}? gate, {Tensor} weight, {Tensor} bias)"))
        {
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            EagerProgram.Write(writer, new TorchSharpTarget(), forward, [PlanNames.Output], body => $"return {body[0]}.MoveToOuterDisposeScope();");
        }
        writer.WriteLine();
        writer.WriteLine("/// <inheritdoc/>");
        using (writer.Block($"public static ({Tensor} Dx, {Tensor} Dweight, {Tensor} Dbias, {Tensor}? Dgate) EagerBackward({Tensor} x, {Tensor}? gate, {Tensor} dy, {Tensor} weight, {Tensor} bias)"))
        {
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            string[] stores = spec.Gated ? [PlanNames.InputGradient, PlanNames.GateGradient] : [PlanNames.InputGradient];
            EagerProgram.Write(writer, new TorchSharpTarget(), backward, stores, body =>
                $"return ({body[0]}.MoveToOuterDisposeScope(), dweight.MoveToOuterDisposeScope(), dbias.MoveToOuterDisposeScope(), {(spec.Gated ? body[1] + ".MoveToOuterDisposeScope()" : "null")});");
        }
    }
}
