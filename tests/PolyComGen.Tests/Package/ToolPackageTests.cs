using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace PolyComGen.Tests.Package;

/// <summary>
/// Packs the <c>polycom</c> tool, installs it into a temporary tool path and runs it from a folder outside the
/// repository: explore and emit with a declaration compiled at run time, a bad declaration, and a one-minute search.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private static readonly string Repository = Support.RepositoryFiles.Root;
    private readonly string work = Directory.CreateTempSubdirectory("pcg-tool-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void TheInstalledToolExploresEmitsAndSearchesRunTimeDeclarationsOutsideTheRepository()
    {
        // A fresh version each time, so that NuGet's caches never serve an older build of the tool.
        string version = $"0.1.0-tool.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools"), elsewhere = Path.Combine(work, "elsewhere");
        Run("dotnet", ["pack", Path.Combine(Repository, "src", "Samples"), "-c", "Release", "-o", feed, $"-p:Version={version}"], Repository);
        using (ZipArchive archive = ZipFile.OpenRead(Path.Combine(feed, $"polycom.{version}.nupkg")))
        {
            string[] files = archive.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("tools/net10.0/any/polycom.dll", files);
            Assert.Contains("tools/net10.0/any/PolyComGen.Compiler.dll", files);
            Assert.Contains("tools/net10.0/any/PolyComGen.Generator.dll", files);
            Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libtorch_cpu.so", files); // the tool carries libtorch
        }
        Run("dotnet", ["tool", "install", "polycom", "--tool-path", tools, "--add-source", feed, "--version", version], work);
        Directory.CreateDirectory(elsewhere);
        string polycom = Path.Combine(tools, "polycom");
        const string declaration = "PolyCom(Order = 3, Inner = \"x * sigmoid(1.702 * x)\", Type = 1)";

        var explore = Run(polycom, ["explore", "--variant", $"QuickGELU3: {declaration}", "--variants", "PolyNorm", "--steps", "20", "--out", "explored"], elsewhere);
        Assert.Contains("Compiled QuickGELU3", explore.Error);
        string results = File.ReadAllText(Path.Combine(elsewhere, "explored", "results.md"));
        Assert.Contains("| QuickGELU3", results);
        Assert.Contains($"- QuickGELU3: `{declaration}`", results);
        Assert.True(File.Exists(Path.Combine(elsewhere, "explored", "checkpoints", "QuickGELU3-seed0.pt")));

        var emit = Run(polycom, ["emit", "--variant", declaration], elsewhere);
        Assert.Contains("#define PCG_SLOTS 4", emit.Output);
        Assert.Contains("extern \"C\" __global__", emit.Output);

        var bad = Run(polycom, ["emit", "--variant", "PolyCom(Order = 3, Inner = \"x * sigmod(x)\")"], elsewhere, expectedExitCode: 2);
        Assert.Contains("PCG0015 (column 33)", bad.Error);
        Assert.Contains("did you mean 'sigmoid'", bad.Error);

        var refused = Run(polycom, ["search", "--minutes", "0.01", "--seed", "1", "--out", "searched"], elsewhere, expectedExitCode: 2);
        Assert.Contains("is too small for a search here", refused.Error);
        Run(polycom, ["search", "--minutes", "2", "--seed", "1", "--width", "16", "--heads", "2", "--layers", "1", "--seq", "16", "--batch", "4", "--steps", "45",
            "--seeds", "2", "--candidates", "4", "--out", "searched"], elsewhere);
        string table = File.ReadAllText(Path.Combine(elsewhere, "searched", "results.md"));
        Assert.Contains("| SwiGLU |", table);
        Assert.Contains("| PolyNorm |", table);
        Assert.Contains("`PolyCom(", table);
        Assert.True(File.Exists(Path.Combine(elsewhere, "searched", "candidates.csv")));
    }

    private static (string Output, string Error) Run(string program, string[] arguments, string folder, int expectedExitCode = 0)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == expectedExitCode,
            $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}, not {expectedExitCode}:\n{output}\n{error.Result}");
        return (output, error.Result);
    }
}
