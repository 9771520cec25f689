using System;
using System.Collections.Generic;
using PolyComGen.Backends.Cuda.Emulation;
using Xunit;

namespace PolyComGen.Tests.Cuda.Emulation;

/// <summary>Where the host compiler is looked for, and what a missing one says.</summary>
[Trait("Category", "CudaEmulation")]
public sealed class HostCompilerTests
{
    [Fact]
    public void AMissingCompilerNamesWhatWasLookedFor()
    {
        var (compiler, reason) = HostCompiler.Find(new Dictionary<string, string> { ["PATH"] = "/nonexistent" }.GetValueOrDefault);

        Assert.Null(compiler);
        Assert.Contains("$POLYCOMGEN_CXX (unset)", reason);
        Assert.Contains("g++, clang++, c++ on PATH", reason);
        Assert.Contains("$CXX (unset)", reason);
    }

    [Fact]
    public void TheVariableWinsAndABadValueIsNamed()
    {
        var (compiler, reason) = HostCompiler.Find(new Dictionary<string, string> { ["POLYCOMGEN_CXX"] = "/opt/none/g++", ["PATH"] = "/usr/bin" }.GetValueOrDefault);

        Assert.Null(compiler);
        Assert.Contains("$POLYCOMGEN_CXX (/opt/none/g++)", reason);
    }

    [SkippableFact]
    public void ACompilerOnPathIsFoundAndIdentified()
    {
        EmulatedParity.RequireEmulator();
        var (compiler, _) = HostCompiler.Find(new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")! }.GetValueOrDefault);

        Assert.NotNull(compiler);
        Assert.NotEmpty(compiler!.Identity);
        Assert.Contains("-ffp-contract=off", compiler.Flags);
    }
}
