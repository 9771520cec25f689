using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The Python with PyTorch the tests run the emitted modules and the examples under: POLYCOMGEN_PYTHON, else
/// /usr/bin/python3 (Debian's python3-torch), else python3 on PATH. Tests skip without it, except under CI, whose
/// .ci/run installs python3-torch.
/// </summary>
public static class PythonTorch
{
    private static readonly Lazy<(string? Python, string Reason)> Found = new(Find);

    /// <summary>The repository's root folder.</summary>
    public static string RepositoryRoot => Support.RepositoryFiles.Root;

    /// <summary>This folder, which holds the tests' Python scripts.</summary>
    public static string ScriptFolder { get; } = SourceFolder();

    /// <summary>The interpreter, or a skip (a failure under CI) saying what was looked for.</summary>
    public static string Require()
    {
        var (python, reason) = Found.Value;
        if (python is not null)
        {
            return python;
        }
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"CI must run the PyTorch tests, but {reason}. .ci/run installs python3-torch.");
        }
        Skip.If(true, reason);
        return null!;
    }

    /// <summary>
    /// <paramref name="count"/> distinct TCP ports free on the loopback interface now, for the rendezvous of
    /// torch.distributed process groups (tests run in parallel, so none is fixed).
    /// </summary>
    public static string[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>Runs Python with <paramref name="arguments"/>; the exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string python, string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run(python, workingDirectory, timeout, new System.Collections.Generic.Dictionary<string, string>(), arguments);

    /// <summary>Runs Python with <paramref name="arguments"/> and more environment variables.</summary>
    public static (int ExitCode, string Output) Run(string python, string workingDirectory, TimeSpan timeout, System.Collections.Generic.IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PYTHONWARNINGS"] = "ignore::RuntimeWarning"; // the modules say once that CPU tensors run the eager formula
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1"; // no __pycache__ in the source tree
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"python {string.Join(" ", arguments)} ran past {timeout.TotalSeconds} s:\n{output.Result}{error.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    private static (string?, string) Find()
    {
        string? configured = Environment.GetEnvironmentVariable("POLYCOMGEN_PYTHON");
        string[] candidates = configured is not null ? [configured] : ["/usr/bin/python3", "python3"];
        foreach (string candidate in candidates)
        {
            try
            {
                var start = new ProcessStartInfo(candidate, ["-c", "import torch; print(torch.__version__)"]) { RedirectStandardOutput = true, RedirectStandardError = true };
                using Process process = Process.Start(start)!;
                process.StandardError.ReadToEnd();
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return (candidate, "");
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed: try the next one
            }
        }
        return (null, $"no Python with PyTorch was found (looked for {string.Join(", ", candidates)}; set POLYCOMGEN_PYTHON, or apt-get install python3-torch)");
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
