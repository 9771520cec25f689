using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;

namespace PolyComGen.Tests.Robustness;

/// <summary>Runs a scenario of tests/RobustnessHost in a process of its own, where a crash cannot take the test host down.</summary>
public static class ChildProcess
{
    private static readonly string Host = Path.GetFullPath(Path.Combine(
        SourceFolder(), "..", "..", "RobustnessHost", "bin",
        typeof(ChildProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0", "RobustnessHost.dll"));

    /// <summary>The exit code (a signal shows as 128 + its number) and everything the scenario printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        Assert.True(File.Exists(Host), $"The robustness host is not built at {Host}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Host);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
