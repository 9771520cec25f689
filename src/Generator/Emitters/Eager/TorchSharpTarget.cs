using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

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

    public override string? DeclareUnassigned(string name) => $"{Tensor} {name};";

    public override System.IDisposable Loop(IndentedTextWriter writer) => writer.Block("for (int attempt = 0; ; attempt++)");

    public override void BreakIf(IndentedTextWriter writer, string condition) => writer.WriteLine($"if ({condition}) break;");

    public override string AllOne(IReadOnlyList<string> tensors) => string.Join(" && ", tensors.Select(t => $"{Math}.AllOne({t})"));

    public override string Reduce(ReductionKind kind, bool rowwise, string value) => (kind, rowwise) switch
    {
        (ReductionKind.Sum, true) => $"{Math}.RowSum({value})",
        (ReductionKind.Sum, false) => $"{Math}.Total({value})",
        (ReductionKind.Max, true) => $"{Math}.RowMax({value})",
        _ => $"{Math}.TotalMax({value})",
    };

    public override string Stack(IEnumerable<string> parts) => $"{Math}.Stack({string.Join(", ", parts)})";

    public override string SelectParameter(string name, int slot) => $"{Tensor} {name} = parameters.select(0, {slot});";

    public override string NoParameters => "global::TorchSharp.torch.zeros_like(parameters)";

    public override string SelectGroupedParameter(string name, int slot, int groups) => $"{Tensor} {name} = {Math}.GroupParameter(parameters, {slot}, {groups}, x);";

    public override string GroupSum(string value, int groups) => $"{Math}.GroupSum({value}, {groups}, x)";

    public override string StackGroups(IEnumerable<string> parts) => $"{Math}.StackGroups({string.Join(", ", parts)})";

    public override string RowLength(string name) => $"{Tensor} {name} = {Math}.Constant(x.shape[^1], x);";

    public override string ConstantDeclaration(string name, double value) => $"{Tensor} {name} = {Math}.Constant({RealLiteral(value)}, x);";

    public override string Variable(Variable variable) => variable.Role switch
    {
        VariableRole.Upstream => "dy",
        VariableRole.Gate => "gate!",
        _ => variable.Name,
    };
}
