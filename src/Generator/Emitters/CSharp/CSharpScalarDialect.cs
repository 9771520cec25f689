using System.Collections.Generic;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Generator.Emitters.CSharp;

/// <summary>Scalar C# in float or double.</summary>
internal sealed class CSharpScalarDialect : Dialect
{
    public static readonly CSharpScalarDialect Float = new(isFloat: true);
    public static readonly CSharpScalarDialect Double = new(isFloat: false);

    private readonly bool isFloat;

    private CSharpScalarDialect(bool isFloat) => this.isFloat = isFloat;

    public bool IsFloat => isFloat;

    public string TypeName => isFloat ? "float" : "double";

    public string MathClass => isFloat ? "global::System.MathF" : "global::System.Math";

    public override string Constant(double value) => isFloat ? FloatLiteral(value) + "f" : RealLiteral(value) + "d";

    public override string Call(Operation operation, IReadOnlyList<string> arguments) => Format(operation.CSharp.Replace("{M}", MathClass), arguments);

    public override string Declare(string name, string value) => $"{TypeName} {name} = {value};";
}
