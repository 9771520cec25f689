using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace PolyComGen.Tests.Package;

/// <summary>
/// Packs PolyComGen, then builds and runs a project outside the repository that references only the package
/// (tests/Consumer): the generator, the runtime, the TorchSharp fix and the dependencies must all come from it.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string Repository = Support.RepositoryFiles.Root;
    private readonly string work = Directory.CreateTempSubdirectory("pcg-consumer-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void AProjectReferencingOnlyThePackageBuildsRunsAndMatchesTheFormula()
    {
        // A fresh version each time, so NuGet's global cache never serves an older build of this package.
        string version = $"0.1.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        string feed = Path.Combine(work, "feed"), consumer = Path.Combine(work, "consumer");
        Run("dotnet", $"pack \"{Path.Combine(Repository, "src", "Runtime")}\" -c Release -o \"{feed}\" -p:Version={version}", Repository);

        string package = Path.Combine(feed, $"PolyComGen.{version}.nupkg");
        using (ZipArchive archive = ZipFile.OpenRead(package))
        {
            string[] files = archive.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("package/", StringComparison.Ordinal) && !n.StartsWith("_rels/", StringComparison.Ordinal) && n != "[Content_Types].xml").OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(
                ["PolyComGen.nuspec", "README.md", "analyzers/dotnet/cs/PolyComGen.Generator.dll", "buildTransitive/MarkGlibcxxVersionWeak.cs",
                 "buildTransitive/PolyComGen.targets", "docs/diagnostics.md", "docs/math.md", "lib/net10.0/PolyComGen.dll", "lib/net10.0/PolyComGen.xml"],
                files);
        }

        Directory.CreateDirectory(consumer);
        foreach (string file in new[] { "Consumer.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(Repository, "tests", "Consumer", file), Path.Combine(consumer, file));
        }
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="polycomgen-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string output = Run("dotnet", $"run -c Release -p:PolyComGenVersion={version}", consumer);

        Assert.Contains("consumer: ok", output);
        Assert.Contains("PolySiLU2: worst relative error", output);
        Assert.Contains("NormCubic: worst relative error", output);
        Assert.Contains("PolyQuickGELU: worst relative error", output);
        Assert.Contains("GatedNormTanh: worst relative error", output);
    }

    private static string Run(string program, string arguments, string folder)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {arguments} exited with {process.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }

}
