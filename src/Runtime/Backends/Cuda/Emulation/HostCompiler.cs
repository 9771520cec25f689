using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace PolyComGen.Backends.Cuda.Emulation;

/// <summary>
/// The host C++ compiler that builds a CUDA translation unit, behind <c>pcg_cuda_emulation.h</c>, into a shared
/// library for the emulated device: <c>$POLYCOMGEN_CXX</c> when set, else <c>$CXX</c>, else the first of g++,
/// clang++ and c++ on PATH.
/// </summary>
internal sealed class HostCompiler
{
    /// <summary>The environment variable that names the compiler (a path, or a name looked up on PATH).</summary>
    public const string Variable = "POLYCOMGEN_CXX";

    /// <summary>The compiler names looked up on PATH, in order, when no variable names one.</summary>
    public static readonly IReadOnlyList<string> Names = ["g++", "clang++", "c++"];

    private static readonly Lazy<(HostCompiler? Compiler, string Reason)> Shared = new(() => Find(Environment.GetEnvironmentVariable));

    private static readonly string Header = Resource("pcg_cuda_emulation.h");
    private static readonly string LinkerScript = Resource("pcg_shared.ld");

    private HostCompiler(string path, string identity)
    {
        Path = path;
        Identity = identity;
        bool clang = identity.Contains("clang", StringComparison.OrdinalIgnoreCase);
        // -fdata-sections gives each function-local static (a __shared__ variable) the section the linker script
        // gathers; -fno-gnu-unique keeps two loaded libraries from sharing one instance of them.
        Flags =
        [
            "-std=c++17", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-fdata-sections", "-ffp-contract=off",
            "-fno-fast-math", "-Wno-unknown-pragmas", .. clang ? Array.Empty<string>() : ["-fno-gnu-unique"],
        ];
    }

    /// <summary>The compiler's executable.</summary>
    public string Path { get; }

    /// <summary>The first line of <c>--version</c>: part of the cache key.</summary>
    public string Identity { get; }

    /// <summary>The flags every translation unit is compiled with (part of the cache key).</summary>
    public string[] Flags { get; }

    /// <summary>What the cache key covers beside the source: the emulation header and linker script, the compiler and its flags.</summary>
    public string[] CacheIdentity => ["emulated", Header, LinkerScript, Identity, .. Flags];

    /// <summary>The process's compiler, or null with <paramref name="reason"/> naming what was looked for.</summary>
    public static HostCompiler? TryFind(out string reason)
    {
        (HostCompiler? compiler, reason) = Shared.Value;
        return compiler;
    }

    /// <summary>Looks for a working compiler as the environment <paramref name="environment"/> describes.</summary>
    internal static (HostCompiler? Compiler, string Reason) Find(Func<string, string?> environment)
    {
        var looked = new List<string>();
        IEnumerable<string> candidates;
        if (environment(Variable) is { Length: > 0 } chosen)
        {
            candidates = [chosen];
            looked.Add($"${Variable} ({chosen})");
        }
        else
        {
            looked.Add($"${Variable} (unset)");
            string? cxx = environment("CXX");
            candidates = cxx is { Length: > 0 } ? [cxx, .. Names] : Names;
            looked.Add(cxx is { Length: > 0 } ? $"$CXX ({cxx})" : "$CXX (unset)");
            looked.Add(string.Join(", ", Names) + " on PATH");
        }
        string[] path = (environment("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string candidate in candidates)
        {
            string? resolved = Resolve(candidate, path);
            if (resolved is not null && Identify(resolved) is string identity)
            {
                return (new HostCompiler(resolved, identity), "");
            }
        }
        return (null, $"no host C++ compiler was found for the emulated CUDA device (looked for {string.Join("; ", looked)}); " +
                      $"install one (Debian: apt-get install g++) or set {Variable} to its path");
    }

    private static string? Resolve(string candidate, string[] path)
    {
        if (candidate.Contains(System.IO.Path.DirectorySeparatorChar))
        {
            return File.Exists(candidate) ? candidate : null;
        }
        return path.Select(folder => System.IO.Path.Combine(folder, candidate)).FirstOrDefault(File.Exists);
    }

    private static string? Identify(string compiler)
    {
        try
        {
            var (exitCode, output) = Run(compiler, ["--version"], Directory.GetCurrentDirectory(), TimeSpan.FromSeconds(30));
            string first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
            return exitCode == 0 && first.Length > 0 ? first : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Compiles <paramref name="translationUnit"/> (which includes <c>pcg_cuda_emulation.h</c>) into a shared
    /// library and returns its bytes; a failure carries the compiler's output and <paramref name="what"/>.
    /// </summary>
    public byte[] CompileSharedLibrary(string translationUnit, string what)
    {
        string folder = Directory.CreateTempSubdirectory("polycomgen-emulation-").FullName;
        try
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "pcg_cuda_emulation.h"), Header);
            File.WriteAllText(System.IO.Path.Combine(folder, "pcg_shared.ld"), LinkerScript);
            File.WriteAllText(System.IO.Path.Combine(folder, "polycom_emulated.cpp"), translationUnit);
            string[] arguments = [.. Flags, "-o", "polycom_emulated.so", "polycom_emulated.cpp", "-Wl,-T,pcg_shared.ld"];
            var (exitCode, output) = Run(Path, arguments, folder, TimeSpan.FromMinutes(10));
            string library = System.IO.Path.Combine(folder, "polycom_emulated.so");
            if (exitCode != 0 || !File.Exists(library))
            {
                throw new CudaEmulationException($"{Path} could not compile {what} for the emulated CUDA device (exit code {exitCode}):{Environment.NewLine}{output}");
            }
            return File.ReadAllBytes(library);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string program, string[] arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new CudaEmulationException($"{program} did not finish within {timeout.TotalMinutes:F0} minutes.");
        }
        process.WaitForExit();
        return (process.ExitCode, standardOutput.Result + standardError.Result);
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(HostCompiler).Assembly.GetManifestResourceStream("PolyComGen.Cuda.Emulation." + name)
            ?? throw new InvalidOperationException($"The runtime lacks its embedded {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
