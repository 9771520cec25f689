using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;
using static PolyComGen.Generator.Emitters.Polynomial;

namespace PolyComGen.Generator.Emitters;

/// <summary>
/// Emits the fused CPU kernels of a spec as a C# struct implementing <c>PolyComGen.Kernels.IPolyComKernel</c>:
/// forward and backward for float and double, each a vectorised loop over <c>System.Numerics.Vector&lt;T&gt;</c>
/// followed by a scalar loop for the tail (scalar only when the inner function is transcendental).
/// Norm kernels take one row; elementwise kernels any run of elements.
/// </summary>
internal static class CSharpKernelEmitter
{
    public const string StructName = "PolyComKernels";

    private const string Vector = "global::System.Numerics.Vector";
    private const string Span = "global::System.Span";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan";
    private const string Cast = "global::System.Runtime.InteropServices.MemoryMarshal.Cast";

    // Kernels are hot loops from their first call: compile them optimised at once rather than through tier 0.
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    public static void Emit(IndentedTextWriter writer, SpecModel spec, string className)
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// The fused CPU kernels of this spec on spans, as <see cref=\"global::PolyComGen.Kernels.CpuKernelRunner\"/> runs them;");
        writer.WriteLine("/// callable directly for data that is not in tensors.");
        writer.WriteLine("/// </summary>");
        using (writer.Block($"public readonly struct {StructName} : global::PolyComGen.Kernels.IPolyComKernel"))
        {
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine($"public static global::PolyComGen.Kernels.KernelDescriptor Descriptor {{ get; }} = new(\"{className}\", {className}.Spec, rowwise: {(spec.IsNorm ? "true" : "false")}, {className}.CudaSource);");
            foreach (Numeric numeric in new[] { Numeric.Float, Numeric.Double })
            {
                writer.WriteLine();
                EmitForward(writer, spec, numeric);
                writer.WriteLine();
                EmitBackward(writer, spec, numeric);
            }
        }
    }

    private static void EmitForward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        string t = n.Type;
        writer.WriteLine("/// <inheritdoc/>");
        writer.WriteLine(AggressiveOptimization);
        using (writer.Block($"public static void Forward({ReadOnlySpan}<{t}> x, {Span}<{t}> y, {ReadOnlySpan}<{t}> weight, {t} bias)"))
        {
            DeclareWeights(writer, spec, n, scaled: false);
            if (spec.IsNorm)
            {
                EmitNormForward(writer, spec, n);
            }
            else
            {
                EmitElementwiseForward(writer, spec, n);
            }
        }
    }

    private static void EmitBackward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        string t = n.Type;
        writer.WriteLine("/// <inheritdoc/>");
        writer.WriteLine(AggressiveOptimization);
        using (writer.Block($"public static void Backward({ReadOnlySpan}<{t}> x, {ReadOnlySpan}<{t}> dy, {Span}<{t}> dx, {ReadOnlySpan}<{t}> weight, {Span}<{t}> partials)"))
        {
            DeclareWeights(writer, spec, n, scaled: !spec.IsNorm || spec.Type == 1);
            if (spec.IsNorm)
            {
                EmitNormBackward(writer, spec, n);
            }
            else
            {
                EmitElementwiseBackward(writer, spec, n);
            }
        }
    }

    // w1..wr, and kw_k = k * w_k (the coefficients of the derivative) when scaled.
    private static void DeclareWeights(IndentedTextWriter writer, SpecModel spec, Numeric n, bool scaled)
    {
        writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, spec.Order).Select(k => $"w{k} = weight[{k - 1}]"))};");
        if (scaled)
        {
            writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, spec.Order).Select(k => $"kw{k} = {n.Scalar.Constant(k)} * w{k}"))};");
        }
    }

    private static void EmitElementwiseForward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        Expr rho = InnerFunctions.Definition(spec.Inner);
        var broadcast = Names("w", 1, spec.Order).Append("bias").ToList();
        EmitPass(writer, n, Vectorisable(n, rho), new[] { "x", "y" }, broadcast, Array.Empty<string>(), lane =>
        {
            if (spec.Type == 1)
            {
                writer.WriteLine(lane.Declare("u", lane.Load("x")));
                string p = lane.Evaluate(writer, "r", rho)[0];
                writer.WriteLine(lane.Declare("p", p));
                writer.WriteLine($"{lane.Load("y")} = {Horner("p", new[] { "bias" }.Concat(Names("w", 1, spec.Order)).Select(lane.V).ToList())};");
            }
            else
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine(lane.Declare("u", "x1"));
                writer.WriteLine(lane.Declare("sum", lane.V("bias")));
                for (int k = 1; k <= spec.Order; k++)
                {
                    if (k > 1)
                    {
                        writer.WriteLine("u = u * x1;");
                    }
                    string basis = lane.Evaluate(writer, $"r{k}_", rho)[0];
                    writer.WriteLine($"sum = sum + {lane.V("w" + k)} * {basis};");
                }
                writer.WriteLine($"{lane.Load("y")} = sum;");
            }
        });
    }

    private static void EmitElementwiseBackward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        Expr rho = InnerFunctions.Definition(spec.Inner);
        Expr derivative = Differentiation.Derivative(rho);
        var accumulators = Names("dw", 1, spec.Order).Append("db").ToList();
        writer.WriteLine($"{n.Type} {string.Join(", ", accumulators.Select(a => a + " = 0"))};");
        var broadcast = Names("kw", 1, spec.Order).ToList();
        bool vectorise = Vectorisable(n, rho) && Vectorisable(n, derivative);
        EmitPass(writer, n, vectorise, new[] { "x", "dy", "dx" }, broadcast, accumulators, lane =>
        {
            writer.WriteLine(lane.Declare("g", lane.Load("dy")));
            if (spec.Type == 1)
            {
                writer.WriteLine(lane.Declare("u", lane.Load("x")));
                var values = lane.Evaluate(writer, "r", rho, derivative);
                writer.WriteLine(lane.Declare("p", values[0]));
                writer.WriteLine($"{lane.Load("dx")} = g * {values[1]} * ({Horner("p", Names("kw", 1, spec.Order).Select(lane.V).ToList())});");
                writer.WriteLine(lane.Declare("pk", "p"));
                for (int k = 1; k <= spec.Order; k++)
                {
                    if (k > 1)
                    {
                        writer.WriteLine("pk = pk * p;");
                    }
                    writer.WriteLine($"{lane.V("dw" + k)} += g * pk;");
                }
            }
            else
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine(lane.Declare("u", "x1"));
                if (spec.Order > 1)
                {
                    writer.WriteLine(lane.Declare("xk1", "x1")); // x^(k-1), from k = 2 on
                }
                writer.WriteLine(lane.Declare("slope", lane.Zero));
                for (int k = 1; k <= spec.Order; k++)
                {
                    if (k > 1)
                    {
                        writer.WriteLine("xk1 = u;");
                        writer.WriteLine("u = u * x1;");
                    }
                    var values = lane.Evaluate(writer, $"r{k}_", rho, derivative);
                    writer.WriteLine($"{lane.V("dw" + k)} += g * {values[0]};");
                    writer.WriteLine(k == 1
                        ? $"slope = slope + {lane.V("kw1")} * {values[1]};"
                        : $"slope = slope + {lane.V("kw" + k)} * xk1 * {values[1]};");
                }
                writer.WriteLine($"{lane.Load("dx")} = g * slope;");
            }
            writer.WriteLine($"{lane.V("db")} += g;");
        });
        WritePartials(writer, spec);
    }

    private static void EmitNormForward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        int statistics = spec.Type == 2 ? spec.Order : 1;
        EmitNormStatistics(writer, spec, n, statistics, withGradient: false);
        if (spec.Type == 2)
        {
            // y = b + sum_k w_k s_k x^k, by Horner in x.
            writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, spec.Order).Select(k => $"c{k} = w{k} * s{k}"))};");
            EmitPass(writer, n, vectorise: true, new[] { "x", "y" }, Names("c", 1, spec.Order).Append("bias").ToList(), Array.Empty<string>(), lane =>
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine($"{lane.Load("y")} = {Horner("x1", new[] { "bias" }.Concat(Names("c", 1, spec.Order)).Select(lane.V).ToList())};");
            });
        }
        else
        {
            // v = x s; y = b + sum_k w_k v^k.
            EmitPass(writer, n, vectorise: true, new[] { "x", "y" }, Names("w", 1, spec.Order).Append("s1").Append("bias").ToList(), Array.Empty<string>(), lane =>
            {
                writer.WriteLine(lane.Declare("v", $"{lane.Load("x")} * {lane.V("s1")}"));
                writer.WriteLine($"{lane.Load("y")} = {Horner("v", new[] { "bias" }.Concat(Names("w", 1, spec.Order)).Select(lane.V).ToList())};");
            });
        }
    }

    private static void EmitNormBackward(IndentedTextWriter writer, SpecModel spec, Numeric n)
    {
        if (spec.Type == 2)
        {
            // MATH.md: dx = sum_k w_k (k x^(k-1) s_k g - (k/H) x^(2k-1) s_k^3 S_k), dw_k = s_k S_k, db = sum g.
            EmitNormStatistics(writer, spec, n, spec.Order, withGradient: true);
            for (int k = 1; k <= spec.Order; k++)
            {
                writer.WriteLine($"partials[{k - 1}] = s{k} * S{k};");
            }
            writer.WriteLine($"partials[{spec.Order}] = G;");
            writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, spec.Order).Select(k => $"a{k} = {n.Scalar.Constant(k)} * w{k} * s{k}"))};");
            writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, spec.Order).Select(k => $"c{k} = w{k} * {n.Scalar.Constant(k)} / h * s{k} * s{k} * s{k} * S{k}"))};");
            var broadcast = Names("a", 1, spec.Order).Concat(Names("c", 1, spec.Order)).ToList();
            EmitPass(writer, n, vectorise: true, new[] { "x", "dy", "dx" }, broadcast, Array.Empty<string>(), lane =>
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine(lane.Declare("x2", "x1 * x1"));
                string gradientTerm = Horner("x1", Names("a", 1, spec.Order).Select(lane.V).ToList());
                string statisticsTerm = Horner("x2", Names("c", 1, spec.Order).Select(lane.V).ToList());
                writer.WriteLine($"{lane.Load("dx")} = {lane.Load("dy")} * ({gradientTerm}) - x1 * ({statisticsTerm});");
            });
        }
        else
        {
            // MATH.md: v = x s, h = g sum_k k w_k v^(k-1), dx = s (h - x s^2 mean(h x)), dw_k = sum g v^k, db = sum g.
            EmitNormStatistics(writer, spec, n, 1, withGradient: false);
            var accumulators = new[] { "hx" }.Concat(Names("dw", 1, spec.Order)).Append("db").ToList();
            writer.WriteLine($"{n.Type} {string.Join(", ", accumulators.Select(a => a + " = 0"))};");
            var broadcast = Names("kw", 1, spec.Order).Append("s1").ToList();
            EmitPass(writer, n, vectorise: true, new[] { "x", "dy" }, broadcast, accumulators, lane =>
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine(lane.Declare("g", lane.Load("dy")));
                writer.WriteLine(lane.Declare("v", $"x1 * {lane.V("s1")}"));
                writer.WriteLine(lane.Declare("hv", $"g * ({Horner("v", Names("kw", 1, spec.Order).Select(lane.V).ToList())})"));
                writer.WriteLine($"{lane.V("hx")} += hv * x1;");
                writer.WriteLine(lane.Declare("vk", "v"));
                for (int k = 1; k <= spec.Order; k++)
                {
                    if (k > 1)
                    {
                        writer.WriteLine("vk = vk * v;");
                    }
                    writer.WriteLine($"{lane.V("dw" + k)} += g * vk;");
                }
                writer.WriteLine($"{lane.V("db")} += g;");
            });
            WritePartials(writer, spec);
            writer.WriteLine($"{n.Type} m = s1 * s1 * hx / h;");
            EmitPass(writer, n, vectorise: true, new[] { "x", "dy", "dx" }, broadcast.Append("m").ToList(), Array.Empty<string>(), lane =>
            {
                writer.WriteLine(lane.Declare("x1", lane.Load("x")));
                writer.WriteLine(lane.Declare("v", $"x1 * {lane.V("s1")}"));
                writer.WriteLine(lane.Declare("hv", $"{lane.Load("dy")} * ({Horner("v", Names("kw", 1, spec.Order).Select(lane.V).ToList())})"));
                writer.WriteLine($"{lane.Load("dx")} = {lane.V("s1")} * (hv - x1 * {lane.V("m")});");
            });
        }
    }

    // One pass over the row: q_k = sum (x^k)^2 for k = 1..count, s_k = (q_k / H + eps)^(-1/2);
    // withGradient also sums S_k = sum g x^k and G = sum g.
    private static void EmitNormStatistics(IndentedTextWriter writer, SpecModel spec, Numeric n, int count, bool withGradient)
    {
        var accumulators = Names("q", 1, count).ToList();
        if (withGradient)
        {
            accumulators.AddRange(Names("S", 1, count));
            accumulators.Add("G");
        }
        writer.WriteLine($"{n.Type} {string.Join(", ", accumulators.Select(a => a + " = 0"))};");
        EmitPass(writer, n, vectorise: true, withGradient ? new[] { "x", "dy" } : new[] { "x" }, Array.Empty<string>(), accumulators, lane =>
        {
            writer.WriteLine(lane.Declare("p1", lane.Load("x")));
            if (withGradient)
            {
                writer.WriteLine(lane.Declare("g", lane.Load("dy")));
                writer.WriteLine($"{lane.V("G")} += g;");
            }
            for (int k = 1; k <= count; k++)
            {
                if (k > 1)
                {
                    writer.WriteLine(lane.Declare("p" + k, $"p{k - 1} * p1"));
                }
                writer.WriteLine($"{lane.V("q" + k)} += p{k} * p{k};");
                if (withGradient)
                {
                    writer.WriteLine($"{lane.V("S" + k)} += g * p{k};");
                }
            }
        });
        writer.WriteLine($"{n.Type} h = x.Length;");
        string eps = n.Scalar.Constant(spec.Eps);
        writer.WriteLine($"{n.Type} {string.Join(", ", Enumerable.Range(1, count).Select(k => $"s{k} = 1 / {n.MathClass}.Sqrt(q{k} / h + {eps})"))};");
    }

    private static void WritePartials(IndentedTextWriter writer, SpecModel spec)
    {
        for (int k = 1; k <= spec.Order; k++)
        {
            writer.WriteLine($"partials[{k - 1}] = dw{k};");
        }
        writer.WriteLine($"partials[{spec.Order}] = db;");
    }

    private static bool Vectorisable(Numeric n, Expr e) => ExpressionCompiler.Supports(n.Vector, e);

    /// <summary>
    /// One loop over the segment: when <paramref name="vectorise"/>, over Vector&lt;T&gt; lanes (with the
    /// <paramref name="broadcast"/> scalars splatted and the <paramref name="accumulators"/> kept per lane,
    /// then summed into the scalars declared by the caller), then over the remaining elements one by one.
    /// The order of every addition is fixed by the segment's length alone.
    /// </summary>
    private static void EmitPass(
        IndentedTextWriter writer, Numeric n, bool vectorise, IReadOnlyList<string> spans,
        IReadOnlyList<string> broadcast, IReadOnlyList<string> accumulators, Action<Lane> body)
    {
        using (writer.Block(""))
        {
            writer.WriteLine("int i = 0;");
            if (vectorise)
            {
                var lane = new Lane(n, isVector: true);
                using (writer.Block(""))
                {
                    foreach (string span in spans)
                    {
                        writer.WriteLine($"var {span}v = {Cast}<{n.Type}, {lane.Type}>({span});");
                    }
                    foreach (string name in broadcast)
                    {
                        writer.WriteLine($"{lane.Type} {name}v = new({name});");
                    }
                    foreach (string name in accumulators)
                    {
                        writer.WriteLine($"{lane.Type} {name}v = {lane.Type}.Zero;");
                    }
                    using (writer.Block($"for (int j = 0; j < {spans[0]}v.Length; j++)"))
                    {
                        body(lane);
                    }
                    foreach (string name in accumulators)
                    {
                        writer.WriteLine($"{name} += {Vector}.Sum({name}v);");
                    }
                    writer.WriteLine($"i = {spans[0]}v.Length * {lane.Type}.Count;");
                }
            }
            using (writer.Block($"for (; i < {spans[0]}.Length; i++)"))
            {
                body(new Lane(n, isVector: false));
            }
        }
    }

    /// <summary>The float or double flavour of the emitted code.</summary>
    private sealed class Numeric
    {
        public static readonly Numeric Float = new("float", "global::System.MathF", CSharpScalarDialect.Float, CSharpVectorDialect.Float);
        public static readonly Numeric Double = new("double", "global::System.Math", CSharpScalarDialect.Double, CSharpVectorDialect.Double);

        private Numeric(string type, string mathClass, CSharpScalarDialect scalar, CSharpVectorDialect vector)
        {
            Type = type;
            MathClass = mathClass;
            Scalar = scalar;
            Vector = vector;
        }

        public string Type { get; }
        public string MathClass { get; }
        public CSharpScalarDialect Scalar { get; }
        public CSharpVectorDialect Vector { get; }
    }

    /// <summary>The body of a loop, seen as Vector&lt;T&gt; lanes or as one element.</summary>
    private sealed class Lane
    {
        private readonly Numeric numeric;

        public Lane(Numeric numeric, bool isVector)
        {
            this.numeric = numeric;
            IsVector = isVector;
        }

        public bool IsVector { get; }

        public string Type => IsVector ? numeric.Vector.TypeName : numeric.Type;

        public string Zero => IsVector ? $"{Type}.Zero" : numeric.Scalar.Constant(0);

        private ExpressionDialect Dialect => IsVector ? numeric.Vector : numeric.Scalar;

        /// <summary>The name of a loop-invariant scalar or an accumulator in this lane.</summary>
        public string V(string scalarName) => IsVector ? scalarName + "v" : scalarName;

        public string Load(string span) => IsVector ? $"{span}v[j]" : $"{span}[i]";

        public string Declare(string name, string value) => $"{Type} {name} = {value};";

        /// <summary>Writes the temporaries of <paramref name="roots"/> (in u) and returns their values.</summary>
        public IReadOnlyList<string> Evaluate(IndentedTextWriter writer, string tempPrefix, params Expr[] roots)
        {
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(Dialect, "u", tempPrefix, roots);
            foreach (string statement in compiled.Statements)
            {
                writer.WriteLine(statement);
            }
            return compiled.Results;
        }
    }
}
