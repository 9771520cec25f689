using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using PolyComGen.Tests.Support;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>The README's quick start and its API in a few lines compile as written, each as a console program's Program.cs, with the generator.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public void TheQuickStartCompilesAsAProgram()
    {
        string quickStart = Snippets().First();
        Assert.Contains("new PolyNorm()", quickStart);
        CompilesAsAProgram(quickStart);
    }

    [Fact]
    public void TheApiInAFewLinesCompilesAsAProgram()
    {
        // The snippet of "Using it in your own project": modules, their parameters, and a run-time compile (PolyComGen.Compiler).
        string api = Snippets().Single(s => s.Contains("PolyComCompiler.Compile(", StringComparison.Ordinal) && s.Contains("Create<", StringComparison.Ordinal));
        CompilesAsAProgram(api, MetadataReference.CreateFromFile(typeof(PolyComGen.Compiler.PolyComCompiler).Assembly.Location));
    }

    private static string[] Snippets() =>
        Regex.Matches(File.ReadAllText(RepositoryFiles.Path("README.md")), "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();

    private static void CompilesAsAProgram(string source, params MetadataReference[] references)
    {
        Compilation program = GeneratorHarness.Compile(source).AddReferences(references);
        program = program.WithOptions(program.Options.WithOutputKind(OutputKind.ConsoleApplication));
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(program, out Compilation output, out _);

        Assert.Empty(driver.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
