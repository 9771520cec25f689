using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator;

namespace PolyComGen.Compiler;

/// <summary>
/// Compiles activations at run time: a declaration as it would be written on a class,
/// <c>PolyCom(Order = 3, Inner = "norm(tanh(x))", Type = 2)</c> or <c>Activation("x * sigmoid(beta * x)", Parameters = "beta = 1")</c>,
/// goes through the same source generator a build runs (in process, with Roslyn), is compiled and loaded in a
/// collectible load context, and comes back as the entry a build's generated registry would hold: the same spec,
/// the same fused CPU and CUDA kernels, the same module and PyTorch source. Identical declarations (up to
/// whitespace outside strings) are compiled once per process; <see cref="Clear"/> unloads them.
/// </summary>
/// <remarks>Thread-safe. The first compilation in a process also loads Roslyn and the framework's metadata (a few seconds).</remarks>
public static class PolyComCompiler
{
    private const string Namespace = "PolyComGen.Compiled";

    private static readonly ConcurrentDictionary<string, Lazy<Compiled>> Cache = new();
    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);
    private static int _compilations;

    /// <summary>How many declarations this process has compiled (cache hits do not count).</summary>
    internal static int Compilations => Volatile.Read(ref _compilations);

    /// <summary>Compiles <paramref name="declaration"/>, or returns the entry an identical earlier call compiled.</summary>
    /// <param name="declaration">
    /// One attribute as written on a class, with or without its brackets: <c>PolyCom(...)</c> or <c>Activation(...)</c>
    /// with any of their options.
    /// </param>
    /// <param name="name">
    /// The class name, which names the module, its PyTorch class and its registry entry; by default
    /// <c>Activation</c> and eight hexadecimal digits of the declaration's hash.
    /// </param>
    /// <exception cref="PolyComCompilationException">The declaration has mistakes: each diagnostic with its ID, message and column.</exception>
    /// <exception cref="ArgumentException">The text is not one attribute, or the name is not a C# identifier.</exception>
    public static PolyComActivation Compile(string declaration, string? name = null) => Compile(declaration, name, out _);

    /// <summary>As <see cref="Compile(string, string?)"/>, also giving the declaration's warnings (such as PCG0031, a fit that did not converge).</summary>
    public static PolyComActivation Compile(string declaration, string? name, out IReadOnlyList<PolyComDiagnostic> warnings)
    {
        Compiled compiled = Entry(declaration, name);
        warnings = compiled.Warnings;
        return compiled.Activation;
    }

    /// <summary>How long the compilation of <paramref name="declaration"/> took (zero for a cache hit's later calls: the first call's time).</summary>
    public static TimeSpan CompileTime(string declaration, string? name = null) => Entry(declaration, name).Time;

    /// <summary>The C# the generator wrote for <paramref name="declaration"/> (the module with its kernels, then the registry), compiling it first if needed.</summary>
    public static string GeneratedSource(string declaration, string? name = null) => Entry(declaration, name).Source;

    /// <summary>
    /// Forgets every compiled declaration and unloads their load contexts: each assembly is collected once no
    /// module, activation or delegate of it remains reachable.
    /// </summary>
    public static void Clear()
    {
        foreach (string key in Cache.Keys)
        {
            if (Cache.TryRemove(key, out Lazy<Compiled>? entry) && entry.IsValueCreated)
            {
                entry.Value.Context.Unload();
            }
        }
    }

    /// <summary>The load context of a cached declaration, weakly (for the tests of collectibility).</summary>
    internal static WeakReference LoadContextOf(string declaration, string? name = null) => new(Entry(declaration, name).Context);

    private static Compiled Entry(string declaration, string? name)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        Declaration parsed = Declaration.Read(declaration, name);
        Lazy<Compiled> entry = Cache.GetOrAdd(parsed.Key, _ => new Lazy<Compiled>(() => Build(parsed), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            Cache.TryRemove(new KeyValuePair<string, Lazy<Compiled>>(parsed.Key, entry)); // a failure is not remembered
            throw;
        }
    }

    private static Compiled Build(Declaration declaration)
    {
        var clock = Stopwatch.StartNew();
        Interlocked.Increment(ref _compilations);
        var compilation = CSharpCompilation.Create(
            $"{Namespace}.{declaration.Name}.{declaration.Hash}",
            [declaration.Tree],
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true, deterministic: true, concurrentBuild: false));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new PolyComGenerator().AsSourceGenerator()], parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> generatorDiagnostics);
        string source = string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(tree => tree.GetText().ToString()));

        // The generator's diagnostics (located in the declaration's strings) and the compiler's (a misspelt option,
        // a value of the wrong type) are the user's; an error elsewhere would be the generator's bug, and says so.
        var diagnostics = generatorDiagnostics.Concat(generated.GetDiagnostics())
            .Where(d => d.Severity is DiagnosticSeverity.Error || (d.Severity is DiagnosticSeverity.Warning && declaration.Contains(d.Location)))
            .Select(declaration.Locate)
            .Distinct()
            .OrderBy(d => d.IsError ? 0 : 1).ThenBy(d => d.Line ?? int.MaxValue).ThenBy(d => d.Column ?? int.MaxValue)
            .ToList();
        if (diagnostics.Any(d => d.IsError))
        {
            throw new PolyComCompilationException(declaration.Text, diagnostics);
        }

        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = generated.Emit(image);
        if (!emitted.Success)
        {
            throw new PolyComCompilationException(declaration.Text, emitted.Diagnostics.Where(d => d.Severity is DiagnosticSeverity.Error).Select(declaration.Locate).ToList());
        }
        image.Position = 0;
        var context = new ActivationLoadContext($"PolyComGen: {declaration.Name} = {declaration.Text}");
        Assembly assembly = context.LoadFromStream(image);
        PolyComActivation activation = PolyComRegistry.Of(assembly).Single();
        return new Compiled(activation, context, diagnostics, clock.Elapsed, source);
    }

    // The metadata a generated module compiles against: the running framework, PolyComGen and TorchSharp.
    private static MetadataReference[] LoadReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
        Assembly[] libraries = [typeof(PolyComActivation).Assembly, typeof(TorchSharp.torch).Assembly];
        if (framework.Length == 0 || libraries.Any(a => a.Location.Length == 0))
        {
            throw new InvalidOperationException("Run-time compilation needs the framework's and PolyComGen's assemblies as files; a single-file application has none (publish without PublishSingleFile).");
        }
        return Directory.EnumerateFiles(framework, "*.dll")
            .Where(path => Path.GetFileName(path) is var file && (file.StartsWith("System.", StringComparison.Ordinal) || file is "System.dll" or "netstandard.dll" or "mscorlib.dll"))
            .Where(IsManaged)
            .Concat(libraries.Select(a => a.Location))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private sealed record Compiled(PolyComActivation Activation, ActivationLoadContext Context, IReadOnlyList<PolyComDiagnostic> Warnings, TimeSpan Time, string Source);

    /// <summary>A declaration's text, the class it is put on, and where the text sits in that source.</summary>
    private sealed class Declaration
    {
        private readonly int _start;

        private Declaration(string text, string name, string hash, string key, SyntaxTree tree, int start)
        {
            Text = text;
            Name = name;
            Hash = hash;
            Key = key;
            Tree = tree;
            _start = start;
        }

        public string Text { get; }

        public string Name { get; }

        public string Hash { get; }

        public string Key { get; }

        public SyntaxTree Tree { get; }

        private const string FilePath = "declaration.cs";

        private static readonly string[] AttributeNames = ["PolyCom", "PolyComAttribute", "Activation", "ActivationAttribute"];

        public static Declaration Read(string declaration, string? name)
        {
            string text = declaration.Trim();
            if (text.StartsWith('[') && text.EndsWith(']'))
            {
                text = text[1..^1].Trim();
            }
            if (text.Length == 0)
            {
                throw new ArgumentException("The declaration is empty: write PolyCom(...) or Activation(...).");
            }
            if (name is not null && !SyntaxFacts.IsValidIdentifier(name))
            {
                throw new ArgumentException($"'{name}' is not a C# class name.");
            }
            string placeholder = name ?? "Activation";
            const string prefix = "using PolyComGen;\n\nnamespace " + Namespace + "\n{\n[";
            string source = $"{prefix}{text}]\npublic partial class {placeholder} {{ }}\n}}\n";
            SyntaxTree tree = CSharpSyntaxTree.ParseText(source, ParseOptions, FilePath, Encoding.UTF8);
            AttributeSyntax attribute = SingleAttribute(tree, placeholder)
                ?? throw new ArgumentException($"A declaration is one attribute as written on a class, PolyCom(...) or Activation(...) (got: {text}).");
            string normalized = attribute.NormalizeWhitespace().ToFullString();
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..8];
            if (name is null)
            {
                name = "Activation" + hash;
                source = $"{prefix}{text}]\npublic partial class {name} {{ }}\n}}\n";
                tree = CSharpSyntaxTree.ParseText(source, ParseOptions, FilePath, Encoding.UTF8);
            }
            return new Declaration(text, name, hash, $"{normalized}\n{name}", tree, prefix.Length);
        }

        // The attribute, when the source is exactly the one class with one attribute of a known name.
        private static AttributeSyntax? SingleAttribute(SyntaxTree tree, string className)
        {
            var root = (CompilationUnitSyntax)tree.GetRoot();
            if (root.Members is not [BaseNamespaceDeclarationSyntax { Members: [ClassDeclarationSyntax type] }] ||
                type.Identifier.ValueText != className || type.AttributeLists is not [{ Attributes: [AttributeSyntax attribute], Target: null }])
            {
                return null;
            }
            string attributeName = attribute.Name switch
            {
                QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
                SimpleNameSyntax s => s.Identifier.ValueText,
                _ => "",
            };
            return AttributeNames.Contains(attributeName) ? attribute : null;
        }

        // In this declaration's source: the compiler's locations are in its tree, the generator's name its file.
        public bool Contains(Location location) =>
            (location.IsInSource ? location.SourceTree == Tree : location.Kind == LocationKind.ExternalFile && location.GetLineSpan().Path == FilePath)
            && location.SourceSpan.Start >= _start && location.SourceSpan.Start <= _start + Text.Length;

        // A diagnostic located in the declaration's text by line and column of that text; elsewhere, unlocated.
        public PolyComDiagnostic Locate(Diagnostic diagnostic)
        {
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            bool error = diagnostic.Severity is DiagnosticSeverity.Error;
            if (!Contains(diagnostic.Location))
            {
                return new PolyComDiagnostic(diagnostic.Id, message + (error && !diagnostic.Id.StartsWith("PCG", StringComparison.Ordinal) ? " (in the generated code)" : ""), error, null, null, 0);
            }
            int offset = diagnostic.Location.SourceSpan.Start - _start;
            int line = 1, lineStart = 0;
            for (int i = 0; i < offset; i++)
            {
                if (Text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }
            int length = Math.Max(1, Math.Min(diagnostic.Location.SourceSpan.Length, Text.Length - offset));
            return new PolyComDiagnostic(diagnostic.Id, message, error, line, offset - lineStart + 1, length);
        }
    }
}
