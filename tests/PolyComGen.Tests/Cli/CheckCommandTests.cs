using System;
using System.IO;
using PolyComGen.Samples;
using PolyComGen.Tests.Cuda.Emulation;
using Xunit;

namespace PolyComGen.Tests.Cli;

/// <summary><c>polycom check --cuda-emulated</c>: every declared activation's CUDA kernels on the emulated device.</summary>
[Trait("Category", "CudaEmulation")]
public sealed class CheckCommandTests
{
    [SkippableFact]
    public void CheckOnTheEmulatedDeviceRunsEveryDeclaredActivationInEveryDtype()
    {
        EmulatedParity.RequireEmulator();
        var output = new StringWriter();

        int exitCode = CudaEmulationCheck.Run(output, [4, 37]);

        string text = output.ToString();
        Assert.True(exitCode == 0, text);
        foreach (PolyComActivation activation in PolyComGen.Samples.PolyComActivations.All)
        {
            foreach (string dtype in new[] { "Float32", "BFloat16", "Float16" })
            {
                Assert.Matches(new System.Text.RegularExpressions.Regex($"(?m)^{activation.Name} +{dtype} .* pass$"), text);
            }
        }
        Assert.Contains("Every CUDA kernel matches the CPU kernels.", text);
    }
}
