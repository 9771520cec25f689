using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Emitters.Eager;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.PyTorch;

/// <summary>Eager PyTorch ops: the Python spellings of the operation table, constants as 0-dimensional tensors.</summary>
internal sealed class PyTorchTarget : EagerTarget
{
    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.Python, arguments);

    public override string Declare(string name, string value) => $"{name} = {value}";

    public override string Assign(string name, string value) => $"{name} = {value}";

    public override string? DeclareUnassigned(string name) => null;

    public override IDisposable Loop(IndentedTextWriter writer)
    {
        writer.WriteLine("for attempt in range(2):");
        return writer.Indent();
    }

    public override void BreakIf(IndentedTextWriter writer, string condition)
    {
        writer.WriteLine($"if {condition}:");
        using (writer.Indent())
        {
            writer.WriteLine("break");
        }
    }

    public override string AllOne(IReadOnlyList<string> tensors) => string.Join(" and ", tensors.Select(t => $"bool(torch.all({t} == 1))"));

    public override string Reduce(ReductionKind kind, bool rowwise, string value) => (kind, rowwise) switch
    {
        // Row statistics over the whole row: all-reduced over the tensor-parallel group when there is one.
        (ReductionKind.Sum, true) => $"polycom_row_sum({value}, group)",
        (ReductionKind.Sum, false) => $"torch.sum({value})",
        (ReductionKind.Max, true) => $"polycom_row_max({value}, group)",
        _ => $"torch.max({value})",
    };

    public override string Stack(IEnumerable<string> parts) => $"torch.stack([{string.Join(", ", parts)}])";

    public override string SelectParameter(string name, int slot) => $"{name} = parameters[{slot}]";

    public override string NoParameters => "torch.zeros_like(parameters)";

    public override string SelectGroupedParameter(string name, int slot, int groups) =>
        $"{name} = parameters.view({groups}, -1)[:, {slot}].repeat_interleave(x.shape[-1] // {groups})";

    public override string GroupSum(string value, int groups) =>
        $"torch.broadcast_to({value}, x.shape).reshape(-1, {groups}, x.shape[-1] // {groups}).sum(dim=(0, 2))";

    public override string StackGroups(IEnumerable<string> parts) => $"torch.stack([{string.Join(", ", parts)}], dim=1).reshape(-1)";

    public override string RowLength(string name) => $"{name} = x.new_tensor(float(x.shape[-1] * polycom_group_size(group)))";

    public override string ConstantDeclaration(string name, double value) => $"{name} = x.new_tensor({RealLiteral(value)})";

    public override string Variable(Variable variable) => variable.Role switch
    {
        VariableRole.Upstream => "dy",
        _ => variable.Name,
    };
}
