using System.IO;
using PolyComGen.Backends.Cpu;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Samples;
using PolyComGen.Verification;
using PolyComGen.Tests.Cuda.Emulation;
using Xunit;

namespace PolyComGen.Tests.Cli;

/// <summary><c>polycom check</c>: every declared activation's CPU kernels, and with --cuda-emulated its CUDA kernels on the emulated device, through the parity checker.</summary>
[Trait("Category", "CudaEmulation")]
public sealed class CheckCommandTests
{
    [SkippableFact]
    public void CheckOnTheEmulatedDeviceRunsEveryDeclaredActivationInEveryDtype()
    {
        EmulatedParity.RequireEmulator();
        var output = new StringWriter();

        int exitCode = KernelParityCheck.Run(output, new BackendTarget(new EmulatedCudaBackend()), StorageFormat.All, [4, 37], PolyComGen.Samples.PolyComActivations.All);

        string text = output.ToString();
        Assert.True(exitCode == 0, text);
        foreach (PolyComActivation activation in PolyComGen.Samples.PolyComActivations.All)
        {
            foreach (string dtype in new[] { "f32", "bf16", "f16" })
            {
                Assert.Matches(new System.Text.RegularExpressions.Regex($@"(?m)^\| {activation.Name} \| .* \| emulated CUDA \| {dtype} \| \[4, {37 * activation.Descriptor.Groups}\] \|.* \| yes \| .* \| pass \|$"), text);
            }
        }
        Assert.Contains($"All {PolyComGen.Samples.PolyComActivations.All.Count * 3} checks passed.", text);
    }

    [Fact]
    public void CheckOnTheCpuRunsEveryDeclaredActivationAgainstTheFloat64Kernels()
    {
        var output = new StringWriter();

        int exitCode = KernelParityCheck.Run(output, new BackendTarget(CpuBackend.Instance), [StorageFormat.Float32], [4, 37], PolyComGen.Samples.PolyComActivations.All);

        string text = output.ToString();
        Assert.True(exitCode == 0, text);
        foreach (PolyComActivation activation in PolyComGen.Samples.PolyComActivations.All)
        {
            Assert.Matches(new System.Text.RegularExpressions.Regex($@"(?m)^\| {activation.Name} \| .* \| CPU \| f32 \| \[4, {37 * activation.Descriptor.Groups}\] \|.* \| yes \| .* \| pass \|$"), text);
        }
    }
}
