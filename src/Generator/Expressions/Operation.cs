using System;

namespace PolyComGen.Generator.Expressions;

/// <summary>
/// One operation of the expression language: its name, its partial derivatives (as expressions of its arguments),
/// how to fold it over constants, and its spelling in every target. Adding an operation is adding one row to
/// <see cref="Operations.All"/>; a test fails when a row is incomplete.
/// </summary>
/// <remarks>
/// Spellings are format strings over the arguments ({0}, {1}); in C# scalar code {M} is System.MathF for float and
/// System.Math for double. A null vector spelling means the operation has no System.Numerics.Vector form (the
/// kernel loop then runs element by element); <see cref="VectorDouble"/> false means no form for Vector&lt;double&gt;.
/// </remarks>
internal sealed class Operation
{
    public Operation(
        string name, int arity, Func<Expr[], Expr[]> derivatives, Func<double[], double>? fold,
        string csharp, string? csharpVector, string cuda, string eager, string python, string? infix = null, bool vectorDouble = true, bool internalOnly = false)
    {
        Name = name;
        Arity = arity;
        Derivatives = derivatives;
        Fold = fold;
        CSharp = csharp;
        CSharpVector = csharpVector;
        Cuda = cuda;
        Eager = eager;
        Python = python;
        Infix = infix;
        VectorDouble = vectorDouble;
        InternalOnly = internalOnly;
    }

    /// <summary>The name the expression language and the messages use.</summary>
    public string Name { get; }

    public int Arity { get; }

    /// <summary>∂op/∂argument_i, as expressions of the arguments.</summary>
    public Func<Expr[], Expr[]> Derivatives { get; }

    /// <summary>The value over constant arguments, or null when not folded at compile time.</summary>
    public Func<double[], double>? Fold { get; }

    /// <summary>Scalar C# (float and double).</summary>
    public string CSharp { get; }

    /// <summary>C# over System.Numerics.Vector&lt;T&gt;, or null when there is no vector form.</summary>
    public string? CSharpVector { get; }

    /// <summary>Whether <see cref="CSharpVector"/> has a Vector&lt;double&gt; form too.</summary>
    public bool VectorDouble { get; }

    /// <summary>CUDA C++ in float32, calling the helpers of the fixed prelude (pcg_*).</summary>
    public string Cuda { get; }

    /// <summary>Eager TorchSharp ops on tensors (only tensor-tensor ops: no Scalar temporaries).</summary>
    public string Eager { get; }

    /// <summary>Eager PyTorch ops.</summary>
    public string Python { get; }

    /// <summary>The operator symbol of + - * / and negation, for printing; null for functions.</summary>
    public string? Infix { get; }

    /// <summary>True for operations the composition and the lowerings introduce, which the expression language does not offer.</summary>
    public bool InternalOnly { get; }

    public override string ToString() => Name;
}
