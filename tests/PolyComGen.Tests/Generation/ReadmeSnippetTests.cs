using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using PolyComGen.Tests.Support;
using Xunit;

namespace PolyComGen.Tests.Generation;

/// <summary>The README's quick start compiles as written, as a console program's Program.cs, with the generator.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public void TheQuickStartCompilesAsAProgram()
    {
        string readme = File.ReadAllText(RepositoryFiles.Path("README.md"));
        string quickStart = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("new PolyNorm()", quickStart);

        Compilation program = GeneratorHarness.Compile(quickStart);
        program = program.WithOptions(program.Options.WithOutputKind(OutputKind.ConsoleApplication));
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(program, out Compilation output, out _);

        Assert.Empty(driver.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
