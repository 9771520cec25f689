using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Cuda;
using PolyComGen.Tests.Numerics;
using Xunit;

namespace PolyComGen.Tests.Cuda;

/// <summary>
/// Every generated translation unit of the spec grid compiles with NVRTC to CUBIN for sm_80 and sm_90, no GPU
/// needed. Without NVRTC these skip, except under CI, where they fail.
/// </summary>
public sealed class NvrtcCompileTests
{
    public static IEnumerable<object[]> Grid() => SpecGrid.All.Select((entry, index) => new object[] { entry.Spec.ToString(), index });

    [SkippableTheory]
    [MemberData(nameof(Grid))]
    public void EveryKernelOfTheGridCompilesForAmpereAndHopper(string spec, int index)
    {
        Nvrtc nvrtc = RequireNvrtc();
        foreach (int architecture in new[] { 80, 90 })
        {
            Nvrtc.Image image = nvrtc.Compile(SpecGrid.All[index].CudaSource, architecture, spec);

            Assert.False(image.IsPtx, $"{spec}: NVRTC {nvrtc.Version} should know sm_{architecture}");
            Assert.True(image.Bytes.Length > 1000, $"{spec}: CUBIN of {image.Bytes.Length} bytes");
            Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], image.Bytes[..4]);
        }
    }

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
