using System;
using System.Collections.Generic;
using PolyComGen.Backends.Cuda;
using PolyComGen.Tests.Numerics;
using Xunit;

namespace PolyComGen.Tests.Cuda;

/// <summary>
/// NVRTC on the generated translation units, no GPU needed (the grid itself: <see cref="GridCompileTests"/>).
/// Without NVRTC these skip, except under CI, where they fail.
/// </summary>
public sealed class NvrtcCompileTests
{
    [SkippableFact]
    public void CompileErrorsCarryTheLogAndWhatWasCompiled()
    {
        Nvrtc nvrtc = RequireNvrtc();
        var error = Assert.Throws<NvrtcException>(() => nvrtc.Compile("extern \"C\" __global__ void k() { undeclared(); }", 80, "a broken spec"));
        Assert.Contains("a broken spec", error.Message);
        Assert.Contains("undeclared", error.Log);
    }

    [SkippableFact]
    public void DevicesNewerThanNvrtcGetPtxForItsNewestArchitecture()
    {
        Nvrtc nvrtc = RequireNvrtc();
        var (options, isPtx) = nvrtc.OptionsFor(999);
        Assert.True(isPtx);
        Assert.Contains($"--gpu-architecture=compute_{nvrtc.SupportedArchitectures[^1]}", options);
        Assert.False(nvrtc.OptionsFor(80).IsPtx);
    }

    internal static Nvrtc RequireNvrtc()
    {
        Nvrtc? nvrtc = Nvrtc.TryLoad(out string reason);
        if (nvrtc is null && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"CI must compile every kernel, but {reason}. .ci/run installs libnvrtc11.2 from Debian non-free.");
        }
        Skip.If(nvrtc is null, reason);
        return nvrtc!;
    }
}

/// <summary>Every translation unit of the grid to CUBIN for one architecture (two classes, so xunit runs them side by side).</summary>
public abstract class GridCompileTests(int architecture)
{
    public static IEnumerable<object[]> Grid() => SpecGrid.Indexed();

    public static IEnumerable<object[]> Experts() => SpecGrid.ExpertsIndexed();

    protected void Compile(string spec, int index) => Compile(spec, SpecGrid.All[index].CudaSource);

    // The declarations with experts: their entry points take the offsets and run a row of blocks per expert.
    protected void CompileWithExperts(string spec, int index) => Compile(spec, SpecGrid.WithExperts[index].CudaSource);

    private void Compile(string spec, string source)
    {
        Nvrtc nvrtc = NvrtcCompileTests.RequireNvrtc();
        KernelImage image = nvrtc.Compile(source, architecture, spec);

        Assert.False(image.IsPtx, $"{spec}: NVRTC {nvrtc.Version} should know sm_{architecture}");
        Assert.True(image.Bytes.Length > 1000, $"{spec}: CUBIN of {image.Bytes.Length} bytes");
        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], image.Bytes[..4]);
    }
}

public sealed class AmpereCompileTests() : GridCompileTests(80)
{
    [SkippableTheory]
    [MemberData(nameof(Grid))]
    public void EveryKernelOfTheGridCompilesForSm80(string spec, int index) => Compile(spec, index);

    [SkippableTheory]
    [MemberData(nameof(Experts))]
    public void EveryKernelWithExpertsCompilesForSm80(string spec, int index) => CompileWithExperts(spec, index);
}

public sealed class HopperCompileTests() : GridCompileTests(90)
{
    [SkippableTheory]
    [MemberData(nameof(Grid))]
    public void EveryKernelOfTheGridCompilesForSm90(string spec, int index) => Compile(spec, index);

    [SkippableTheory]
    [MemberData(nameof(Experts))]
    public void EveryKernelWithExpertsCompilesForSm90(string spec, int index) => CompileWithExperts(spec, index);
}
