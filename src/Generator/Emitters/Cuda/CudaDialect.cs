using System.Collections.Generic;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Emitters.Cuda;

/// <summary>CUDA C++ in float32, calling the helpers of pcg_prelude.cuh.</summary>
internal sealed class CudaDialect : Dialect
{
    public static readonly CudaDialect Instance = new();

    public override string Constant(double value) => FloatLiteral(value) + "f";

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.Cuda, arguments);

    public override string Declare(string name, string value) => $"const float {name} = {value};";
}
