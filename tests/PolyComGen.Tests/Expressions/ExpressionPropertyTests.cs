using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using PolyComGen.Generator.Expressions;
using PolyComGen.Tests.Generation;
using PolyComGen.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Expressions;

/// <summary>
/// Property: random expressions, written as Inner text, go through the whole generator (parser, composition,
/// emitters) and the C# compiler; the float64 modules they become compute the test's own evaluation of the same
/// expression tree, and their gradients match central differences. Types 1 and 2, orders 1 to 4, norm() of some.
/// </summary>
public sealed class ExpressionPropertyTests
{
    private const int Count = 240;

    private sealed record Case(string Name, string Text, Expr Tree, int Type, int Order, bool Normalized);

    private static readonly Lazy<(IReadOnlyList<Case> Cases, Assembly Assembly)> Compiled = new(Compile);

    // The cases, written as [PolyCom] classes of one source, compiled once.
    private static (IReadOnlyList<Case>, Assembly) Compile()
    {
        var trees = new RandomExpressions(seed: 2025, variables: ["u"], smooth: true);
        var cases = new List<Case>();
        while (cases.Count < Count)
        {
            Expr tree = trees.Next(depth: 4);
            if (!tree.DependsOn("u") || Simplifier.Simplify(tree) is not { } simplified || !simplified.DependsOn("u"))
            {
                continue;
            }
            int i = cases.Count;
            cases.Add(new Case($"E{i}", Text(tree), tree, 1 + i % 2, 1 + i / 2 % 4, i % 10 == 9));
        }
        string source = "using PolyComGen;\nnamespace Random;\n" + string.Join("\n", cases.Select(c =>
            $"[PolyCom(Order = {c.Order}, Inner = \"{(c.Normalized ? $"norm({c.Text})" : c.Text)}\", Type = {c.Type})] public partial class {c.Name} {{ }}"));
        var (result, output, diagnostics) = GeneratorHarness.Run(source);
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Take(5)));
        return (cases, Assembly.Load(image.ToArray()));
    }

    public static IEnumerable<object[]> Batches() => Enumerable.Range(0, 8).Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(Batches))]
    public void RandomExpressionsCompileAndMatchTheirOwnEvaluationAndCentralDifferences(int batch)
    {
        var (cases, assembly) = Compiled.Value;
        foreach (Case c in cases.Where((_, i) => i % 8 == batch))
        {
            using var scope = NewDisposeScope();
            var module = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(assembly.GetType("Random." + c.Name)!)!;
            // Seeded by the case's name with a hash of our own: string.GetHashCode differs from process to process.
            var generator = new torch.Generator(StableSeed(c.Name));
            Harness.Randomise(module, float64, generator);
            var (weight, bias) = Harness.Parameters(module);
            Tensor x = rand([2, 6], dtype: float64, generator: generator) * 2 - 1;
            string what = $"{c.Name}: [PolyCom(Order = {c.Order}, Inner = \"{(c.Normalized ? $"norm({c.Text})" : c.Text)}\", Type = {c.Type})]";

            Tensor input = x.clone().requires_grad_();
            Tensor y = module.forward(input);
            Tensor expected = tensor(Expected(c, x, weight.data<double>().ToArray(), bias.item<double>()), dtype: float64).reshape(2, 6);
            Tensor scale = expected.abs().clamp_min(1);
            double error = ((y.detach() - expected).abs() / scale).max().item<double>();
            Assert.True(error < 1e-10, $"{what}: y off by {error:E2}");

            Tensor upstream = randn([2, 6], dtype: float64, generator: generator);
            y.backward([upstream]);
            double Loss(Tensor at) { using (no_grad()) return (module.forward(at) * upstream).sum().item<double>(); }
            Tensor numeric = CentralDifferences(x, Loss);
            // Relative to each row's largest derivative: the differences of a row that also holds values of 1e10 carry
            // that row's rounding, whatever the size of the one derivative.
            double gradientError = ((input.grad! - numeric).abs() / numeric.abs().amax([-1], keepdim: true).clamp_min(1)).max().item<double>();
            Assert.True(gradientError < 1e-6, $"{what}: dx off by {gradientError:E2}");
        }
    }

    // FNV-1a of the name's characters, folded to 16 bits: the same seed in every process.
    private static ulong StableSeed(string name)
    {
        uint hash = 2166136261;
        foreach (char ch in name)
        {
            hash = (hash ^ ch) * 16777619;
        }
        return (hash ^ (hash >> 16)) & 0xffff;
    }

    // The activation by the test's evaluator, row by row (norm() over each row of 6).
    private static double[] Expected(Case c, Tensor x, double[] w, double b)
    {
        double[] values = x.data<double>().ToArray();
        var result = new double[values.Length];
        for (int row = 0; row < 2; row++)
        {
            double[] xs = values.Skip(row * 6).Take(6).ToArray();
            var basis = new double[c.Order][];
            for (int k = 1; k <= c.Order; k++)
            {
                double[] e = xs.Select(v => Evaluator.Evaluate(c.Tree, ("u", c.Type == 1 ? v : Math.Pow(v, k)))).ToArray();
                if (c.Normalized)
                {
                    double s = 1 / Math.Sqrt(e.Select(v => v * v).Average() + 1e-6);
                    e = e.Select(v => v * s).ToArray();
                }
                basis[k - 1] = c.Type == 1 ? e.Select(v => Math.Pow(v, k)).ToArray() : e;
            }
            for (int i = 0; i < 6; i++)
            {
                result[row * 6 + i] = b + Enumerable.Range(0, c.Order).Sum(k => w[k] * basis[k][i]);
            }
        }
        return result;
    }

    // Fourth-order central differences, (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h: the random expressions include
    // steep ones (x^24 exp(8 x^3)), where a two-point quotient is off by more than the tolerance.
    private static Tensor CentralDifferences(Tensor x, Func<Tensor, double> loss)
    {
        const double step = 1e-4;
        double[] values = x.data<double>().ToArray();
        var numeric = new double[values.Length];
        double At(int i, double offset)
        {
            double[] moved = (double[])values.Clone();
            moved[i] += offset;
            return loss(tensor(moved, dtype: float64).reshape(x.shape));
        }
        for (int i = 0; i < values.Length; i++)
        {
            numeric[i] = (At(i, -2 * step) - 8 * At(i, -step) + 8 * At(i, step) - At(i, 2 * step)) / (12 * step);
        }
        return tensor(numeric, dtype: float64).reshape(x.shape);
    }

    // The tree in the Inner language: the test's own printer, so that the parser reads text it did not write.
    private static string Text(Expr e) => e switch
    {
        Constant c => c.Value < 0 ? $"({c.Value.ToString("R", CultureInfo.InvariantCulture)})" : c.Value.ToString("R", CultureInfo.InvariantCulture),
        Variable => "x",
        Power p => $"({Text(p.Base)})^{p.Exponent}",
        Call { Operation.Infix: string infix } c when c.Operation.Arity == 1 => $"({infix}{Text(c.Arguments[0])})",
        Call { Operation.Infix: string infix } c => $"({Text(c.Arguments[0])} {infix} {Text(c.Arguments[1])})",
        Call c => $"{c.Operation.Name}({string.Join(", ", c.Arguments.AsSpan().ToArray().Select(Text))})",
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };
}
