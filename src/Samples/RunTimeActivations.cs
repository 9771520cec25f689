using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PolyComGen.Compiler;

namespace PolyComGen.Samples;

/// <summary>An activation given on the command line rather than built into the tool.</summary>
/// <param name="Activation">Its registry entry.</param>
/// <param name="Declaration">The declaration it was compiled from (<c>--variant</c>), or null for one of an assembly (<c>--assembly</c>).</param>
public sealed record RunTimeActivation(PolyComActivation Activation, string? Declaration);

/// <summary>
/// The activations of <c>--variant</c> (declarations compiled at run time, each optionally named as
/// <c>Name: PolyCom(...)</c>, otherwise Variant1, Variant2, ...) and of <c>--assembly</c> (a compiled project's
/// generated registry).
/// </summary>
public static partial class RunTimeActivations
{
    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$", RegexOptions.Singleline)]
    private static partial Regex NamedDeclaration();

    // "MySwish = Activation(...)": a name given with '=' where the form is 'Name: ...'.
    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\[?\s*(?:PolyCom|Activation)\s*\(.*)$", RegexOptions.Singleline)]
    private static partial Regex NamedWithEquals();

    /// <summary>The name and declaration of a <c>--variant</c> value: <c>Name: PolyCom(...)</c>, or the declaration alone (named <paramref name="defaultName"/>).</summary>
    public static (string Name, string Declaration) Split(string text, string defaultName) =>
        NamedDeclaration().Match(text) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value.Trim()) : (defaultName, text.Trim());

    /// <summary>
    /// Compiles every <paramref name="variants"/> declaration and reads the registry of <paramref name="assembly"/>,
    /// saying on <paramref name="log"/> how long each compilation took.
    /// </summary>
    /// <exception cref="PolyComCompilationException">A declaration has mistakes (the tool prints them and exits with 2).</exception>
    /// <exception cref="CommandLineException">A value is not a declaration, a name repeats, or the assembly cannot be read.</exception>
    public static IReadOnlyList<RunTimeActivation> Load(IReadOnlyList<string> variants, string? assembly, TextWriter log)
    {
        var loaded = new List<RunTimeActivation>();
        for (int i = 0; i < variants.Count; i++)
        {
            if (NamedWithEquals().Match(variants[i]) is { Success: true } equals)
            {
                throw new CommandLineException(
                    $"--variant '{variants[i]}': a variant is named with a colon, not '=': write '{equals.Groups[1].Value}: {equals.Groups[2].Value.Trim()}'.");
            }
            var (name, declaration) = Split(variants[i], $"Variant{i + 1}");
            var clock = Stopwatch.StartNew();
            PolyComActivation activation;
            IReadOnlyList<PolyComDiagnostic> warnings;
            try
            {
                activation = PolyComCompiler.Compile(declaration, name, out warnings);
            }
            catch (ArgumentException e)
            {
                throw new CommandLineException($"--variant '{variants[i]}': {e.Message}");
            }
            log.WriteLine($"Compiled {name} = {declaration} in {clock.Elapsed.TotalSeconds:F2} s");
            foreach (PolyComDiagnostic warning in warnings)
            {
                log.WriteLine($"  warning {warning}");
            }
            loaded.Add(new RunTimeActivation(activation, declaration));
        }
        if (assembly is not null)
        {
            try
            {
                loaded.AddRange(PolyComRegistry.FromAssembly(assembly).Select(a => new RunTimeActivation(a, null)));
            }
            catch (Exception e) when (e is IOException or ArgumentException or BadImageFormatException or UnauthorizedAccessException)
            {
                throw new CommandLineException($"--assembly: {e.Message}");
            }
        }
        var repeated = loaded.GroupBy(a => a.Activation.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return repeated.Count == 0
            ? loaded
            : throw new CommandLineException($"Two run-time activations are named {string.Join(", ", repeated)}; name them with 'Name: PolyCom(...)'.");
    }
}
