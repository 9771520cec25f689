using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace PolyComGen.Tests.Support;

/// <summary>
/// Snapshot files beside the test: <c>{name}.verified.{extension}</c>. A mismatch or a missing snapshot writes
/// <c>{name}.received.{extension}</c> and fails with both paths and the first differing lines. Setting
/// POLYCOMGEN_ACCEPT_SNAPSHOTS=1 accepts what was received instead, never when CI is set.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "POLYCOMGEN_ACCEPT_SNAPSHOTS";

    public static string Folder([CallerFilePath] string testFile = "") => Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");

    public static void Verify(string name, string extension, string actual, [CallerFilePath] string testFile = "")
    {
        string folder = Folder(testFile);
        string verified = Path.Combine(folder, $"{name}.verified.{extension}");
        string received = Path.Combine(folder, $"{name}.received.{extension}");
        actual = Normalise(actual);
        string? expected = File.Exists(verified) ? Normalise(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}.\nReceived: {received}\nReview it, then rename it to .verified or rerun with {AcceptVariable}=1."
            : $"Snapshot mismatch.\nVerified: {verified}\nReceived: {received}\n{FirstDifference(expected, actual)}\nRerun with {AcceptVariable}=1 to accept.");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n");

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
        {
            line++;
        }
        var diff = Enumerable.Range(line, 4)
            .SelectMany(i => new[] { i < e.Length ? $"-{i + 1,5}: {e[i]}" : null, i < a.Length ? $"+{i + 1,5}: {a[i]}" : null })
            .Where(l => l is not null);
        return $"First difference at line {line + 1}:\n{string.Join("\n", diff)}";
    }
}
