using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace PolyComGen.Tests.Generation;

/// <summary>
/// Seeded random declarations, as a new user might write them or mistype them: random expression trees with extreme
/// constants and powers, token soup, character mutations of good expressions, random Order, Type, Eps and Gated.
/// Whatever the input, the generator must not throw: every declaration is either accepted, and its generated code
/// compiles without errors, or rejected by the generator's own error located inside the declaration.
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int Declarations = 320, PerCompilation = 32;

    private static readonly string[] Functions =
        ["exp", "log", "log1p", "sqrt", "tanh", "sigmoid", "softplus", "erf", "abs", "relu", "silu", "gelu", "gelu_tanh", "square", "identity"];

    private static readonly string[] Constants =
        ["0", "-0", "1", "2", "0.5", "pi", "e", "1.702", "1e-3", "1e30", "1e38", "3.4e38", "3.5e38", "1e39", "1e300", "-1e300", "1e-38", "1e-45", "1e-300", "4e-320"];

    private static readonly string[] Tokens =
        ["x", "x", "(", ")", "+", "-", "*", "/", "^", "**", ",", "norm", "tanh", "max", "min", "1e300", "2", ".", "e", "pi", " ", "#", "\"", "\\", "1e-3", "32", "-33", "sqrt("];

    private static readonly string[] GoodExpressions =
    [
        "x * sigmoid(1.702 * x)", "norm(tanh(x))", "x * tanh(softplus(x))", "norm(x * sigmoid(x))", "min(max(x, -1), 1)",
        "x^2 / (1 + abs(x))", "norm(exp(x) - 1)", "gelu_tanh(x) + 0.1 * x", "log1p(x^2)", "sqrt(1 + x^2) - 1",
    ];

    private static readonly string[] EpsValues =
        ["1e-6", "1e300", "1e-300", "0", "-1", "3.4e38", "3.5e38", "1e-45", "1e-50", "double.NaN", "double.PositiveInfinity", "1e38", "1e-38", "double.Epsilon"];

    [Fact]
    public void EveryDeclarationIsAcceptedAndCompilesOrRejectedWithALocatedError()
    {
        var random = new Random(20261130);
        var (accepted, rejected) = Check(Enumerable.Range(0, Declarations).Select(i => Declaration(random, i)).ToList());
        output.WriteLine($"{accepted} accepted and compiled, {rejected} rejected with a located error, of {Declarations}.");
        // The mix must exercise both outcomes substantially, or the test proves little.
        Assert.InRange(accepted, Declarations / 5, Declarations * 4 / 5);
    }

    // Expressions that cancel to a constant, or have a term that does: what they simplify to decides, never the spelling.
    private static readonly string[] Cancelling =
        ["x^0", "x - x", "0 * x", "x / x", "exp(0 * x)", "(x^2)^0", "x^0 + x", "x - x + x", "(x / x) * x", "x^0 * tanh(x)", "sigmoid(x - x) + x", "x * x^0 - x"];

    [Fact]
    public void ExpressionsThatCancelToConstantsAreAcceptedOrRejectedWithALocatedErrorAtAnyOrderTypeAndGate()
    {
        var random = new Random(20261206);
        var declarations = new List<(string Name, string Text)>();
        foreach (string expression in Cancelling)
        {
            foreach (string inner in new[] { expression, $"norm({expression})" })
            {
                for (int type = 1; type <= 2; type++)
                {
                    string order = Pick(random, ["1", "2", "3", "4", "8"]), gated = random.Next(2) == 0 ? ", Gated = true" : "";
                    string name = "C" + declarations.Count.ToString(CultureInfo.InvariantCulture);
                    declarations.Add((name, $"[PolyCom(Order = {order}, Inner = {Literal(inner)}, Type = {type}{gated})] public partial class {name} {{ }}"));
                }
                string activation = "C" + declarations.Count.ToString(CultureInfo.InvariantCulture);
                declarations.Add((activation, $"[Activation({Literal(inner)})] public partial class {activation} {{ }}"));
            }
        }
        var (accepted, rejected) = Check(declarations);
        output.WriteLine($"{accepted} accepted and compiled, {rejected} rejected with a located error, of {declarations.Count}.");
        Assert.True(accepted > 0 && rejected > 0, "both outcomes are exercised");
    }

    // Runs the generator over the declarations in batches: no exception, no compiler crash, every diagnostic located,
    // and each declaration either generated (its code compiling, with no error of the generator's) or rejected by a
    // located error of the generator's; the counts of each.
    private static (int Accepted, int Rejected) Check(IReadOnlyList<(string Name, string Text)> declarations)
    {
        int accepted = 0, rejected = 0;
        var failures = new List<string>();
        foreach (var batch in declarations.Chunk(PerCompilation))
        {
            var source = new StringBuilder("using PolyComGen;\nnamespace Fuzz;\n");
            var spans = new List<(string Name, string Text, int Start, int End)>();
            foreach (var (name, text) in batch)
            {
                spans.Add((name, text, source.Length, source.Length + text.Length));
                source.Append(text).Append('\n');
            }
            var (result, compilation, outputDiagnostics) = GeneratorHarness.Run(source.ToString());
            if (result.Exception is not null)
            {
                failures.Add($"generator exception: {result.Exception}");
            }
            failures.AddRange(outputDiagnostics.Where(d => d.Id is "CS8785" or "AD0001").Select(d => $"{d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}"));
            failures.AddRange(result.Diagnostics.Where(d => !Located(d)).Select(d => $"{d.Id} without a location: {d.GetMessage(CultureInfo.InvariantCulture)}"));
            failures.AddRange(result.Diagnostics.Where(d => d.Id == "PCG0099").Select(d => $"the generator failed: {d.GetMessage(CultureInfo.InvariantCulture)}"));
            // Generated code must compile wherever it is: a module, or the registry naming the modules.
            failures.AddRange(outputDiagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(GeneratorHarness.RegistryHintName, StringComparison.Ordinal) == true)
                .Take(3)
                .Select(d => $"the registry does not compile: {d.Id} {d.GetMessage(CultureInfo.InvariantCulture)}"));
            foreach (var (name, text, start, end) in spans)
            {
                var own = result.Diagnostics.Where(d => Located(d) && d.Location.SourceSpan.Start >= start && d.Location.SourceSpan.End <= end).ToList();
                bool hasError = own.Any(d => d.Severity == DiagnosticSeverity.Error);
                GeneratedSourceResult? generated = result.GeneratedSources.Cast<GeneratedSourceResult?>().FirstOrDefault(s => s!.Value.HintName == $"Fuzz.{name}.g.cs");
                if (generated is GeneratedSourceResult module)
                {
                    accepted++;
                    if (hasError)
                    {
                        failures.Add($"{text}: generated although the generator reported an error");
                    }
                    SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith(module.HintName, StringComparison.Ordinal));
                    failures.AddRange(outputDiagnostics
                        .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == tree)
                        .Take(3)
                        .Select(d => $"{text}: the generated code does not compile: {d.Id} {d.GetMessage(CultureInfo.InvariantCulture)}"));
                }
                else
                {
                    rejected++;
                    if (!hasError)
                    {
                        failures.Add($"{text}: neither generated nor rejected with a located error ({string.Join("; ", own.Select(d => d.Id))})");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        return (accepted, rejected);
    }

    // The generator's locations point into the source file (as external-file locations: it keeps no syntax tree).
    private static bool Located(Diagnostic d) => d.Location.Kind != LocationKind.None && d.Location.GetLineSpan().Path == "Source0.cs";

    private static (string Name, string Text) Declaration(Random random, int index)
    {
        string inner = random.Next(5) switch
        {
            0 => Mutated(random, GoodExpressions[random.Next(GoodExpressions.Length)]),
            1 => Soup(random),
            _ => random.Next(4) == 0 ? $"norm({Tree(random, 3)})" : Tree(random, 3),
        };
        var arguments = new List<string>();
        if (random.Next(3) > 0)
        {
            arguments.Add("Order = " + Pick(random, ["3", "3", "1", "2", "4", "5", "8", "2", "0", "9", "-1", "int.MaxValue"]));
        }
        if (random.Next(3) > 0)
        {
            arguments.Add("Type = " + Pick(random, ["1", "2", "2", "1", "1", "2", "0", "3"]));
        }
        arguments.Add("Inner = " + Literal(inner));
        if (random.Next(3) == 0)
        {
            arguments.Add("Eps = " + Pick(random, EpsValues));
        }
        if (random.Next(3) == 0)
        {
            arguments.Add("Gated = true");
        }
        string name = "F" + index.ToString(CultureInfo.InvariantCulture);
        return (name, $"[PolyCom({string.Join(", ", arguments.OrderBy(_ => random.Next()))})] public partial class {name} {{ }}");
    }

    // A C# string literal of the text: quotes, backslashes and control characters escaped.
    private static string Literal(string text) => "\"" + string.Concat(text.Select(c => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => c.ToString(),
    })) + "\"";

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Tree(Random random, int depth)
    {
        if (depth == 0 || random.NextDouble() < 0.2)
        {
            return random.NextDouble() < 0.6 ? "x" : Pick(random, Constants);
        }
        return random.Next(7) switch
        {
            0 => $"({Tree(random, depth - 1)})^{random.Next(-40, 41)}",
            1 => $"{Tree(random, depth - 1)} {Pick(random, ["+", "-", "*", "/"])} {Tree(random, depth - 1)}",
            2 => $"{Pick(random, ["min", "max"])}({Tree(random, depth - 1)}, {Tree(random, depth - 1)})",
            3 => $"{Pick(random, Constants)} * {Tree(random, depth - 1)}",
            4 => $"-{Tree(random, depth - 1)}",
            _ => $"{Pick(random, Functions)}({Tree(random, depth - 1)})",
        };
    }

    private static string Soup(Random random) => string.Concat(Enumerable.Range(0, random.Next(1, 14)).Select(_ => Pick(random, Tokens)));

    private static string Mutated(Random random, string text)
    {
        var chars = new StringBuilder(text);
        for (int m = random.Next(1, 4); m > 0; m--)
        {
            int at = random.Next(chars.Length + 1);
            const string alphabet = "x()+-*/^,.e0123456789 \"\\#\u00e9\u0000\t";
            char c = alphabet[random.Next(alphabet.Length)];
            switch (random.Next(3))
            {
                case 0 when at < chars.Length:
                    chars.Remove(at, 1);
                    break;
                case 1 when at < chars.Length:
                    chars[at] = c;
                    break;
                default:
                    chars.Insert(at, c);
                    break;
            }
        }
        return chars.ToString();
    }
}
