using System;
using System.IO;
using PolyComGen.Samples;
using Xunit;

namespace PolyComGen.Tests.Cli;

/// <summary>Every mistake on <c>polycom</c>'s command line is a message on standard error and exit code 2, never an unhandled exception.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("1x99999999999999999999", "bench", "--shapes", "1x99999999999999999999")]
    [InlineData("100000x100000", "bench", "--shapes", "100000x100000")]
    [InlineData("0x4", "bench", "--shapes", "0x4")]
    [InlineData("4x-4", "bench", "--shapes", "4x-4")]
    [InlineData("abc", "bench", "--shapes", "abc")]
    [InlineData("--shapes", "bench", "--shapes", ",")]
    [InlineData("--rounds", "bench", "--rounds", "0")]
    [InlineData("abc", "bench", "--rounds", "abc")]
    [InlineData("--threads", "bench", "--threads", "-1")]
    [InlineData("Nope", "bench", "--variants", "Nope")]
    [InlineData("1x99999999999999999999", "check", "--cuda-emulated", "--shape", "1x99999999999999999999")]
    [InlineData("Nope", "emit", "Nope")]
    [InlineData("--steps", "explore", "--steps", "0")]
    [InlineData("99999999999", "explore", "--steps", "99999999999")]
    [InlineData("--lr", "explore", "--lr", "-1")]
    [InlineData("--heads", "explore", "--width", "64", "--heads", "3")]
    [InlineData("--device", "explore", "--device", "tpu")]
    [InlineData("Nope", "explore", "--variants", "Nope")]
    [InlineData("--seeds", "explore", "--seeds", "0")]
    [InlineData("no-such-file", "explore", "--corpus", "no-such-file")]
    [InlineData("PCG0015 (column 34)", "emit", "--variant", "PolyCom(Order = 3, Inner = \"tanh(y)\", Type = 2)")]
    [InlineData("PCG0006", "explore", "--variant", "PolyCom(Order = 12)", "--steps", "5")]
    [InlineData("one attribute", "explore", "--variant", "Obsolete", "--steps", "5")]
    [InlineData("one attribute", "check", "--variant", "PolyCom(Order = 3)] class X { } [PolyCom(Order = 2)")]
    [InlineData("named A", "bench", "--variant", "A: PolyCom(Order = 2)", "--variant", "A: PolyCom(Order = 3)")]
    [InlineData("no-such.dll", "explore", "--assembly", "no-such.dll")]
    [InlineData("Name one activation", "emit")]
    [InlineData("--minutes", "search", "--minutes", "0")]
    [InlineData("--resume", "search", "--resume", "--out", "no-such-search-folder")]
    [InlineData("--range", "plot", "--range", "4,-4")]
    [InlineData("--range", "plot", "--range", "x")]
    [InlineData("Nope", "plot", "Nope")]
    [InlineData("no-such.pt", "plot", "--checkpoint", "no-such.pt")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("--frobnicate", "bench", "--frobnicate")]
    public void AValueErrorIsAMessageAndExitCodeTwo(string mentioned, params string[] args)
    {
        var (exitCode, error) = ConsoleCollection.Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(mentioned, error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
    }
}

/// <summary>Tests that swap the process's standard error run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection
{
    /// <summary>Runs <c>polycom</c> in process, returning its exit code and what it wrote on standard error.</summary>
    public static (int ExitCode, string Error) Run(params string[] args)
    {
        TextWriter original = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            return (Program.Main(args), error.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }
}
