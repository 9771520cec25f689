using System.Collections.Generic;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Emitters.CSharp;

/// <summary>C# over System.Numerics.Vector&lt;T&gt;, with the vector forms of <c>PolyComGen.Backends.Cpu.PolyMath</c>.</summary>
internal sealed class CSharpVectorDialect : Dialect
{
    public static readonly CSharpVectorDialect Float = new(CSharpScalarDialect.Float);
    public static readonly CSharpVectorDialect Double = new(CSharpScalarDialect.Double);

    private readonly CSharpScalarDialect scalar;

    private CSharpVectorDialect(CSharpScalarDialect scalar) => this.scalar = scalar;

    public string TypeName => $"global::System.Numerics.Vector<{scalar.TypeName}>";

    public override string Constant(double value) => value switch
    {
        0 => $"{TypeName}.Zero",
        1 => $"{TypeName}.One",
        _ => $"new {TypeName}({scalar.Constant(value)})",
    };

    public override bool Supports(Operation operation) => operation.CSharpVector is not null && (scalar.IsFloat || operation.VectorDouble);

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.CSharpVector!, arguments);

    public override string Declare(string name, string value) => $"{TypeName} {name} = {value};";
}
