using System;
using System.Collections.Generic;
using System.IO;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Tests.Cuda.Emulation;
using PolyComGen.Tests.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The split kernels of tensor parallelism (the statistics stages, then apply: docs/math.md section 5b) run
/// by the emitted PyTorch module on the emulated CUDA device through the CuPy stand-in: for one rank bitwise the
/// one-shot kernels in float32, bfloat16 and float16 (also on rows whose statistics overflow and run again scaled), for
/// two ranks over gloo, each with half of every row, the one-shot kernels on whole rows within float32 rounding.
/// </summary>
[Trait("Category", "Python")]
[Trait("Category", "CudaEmulation")]
public sealed class EmulatedSplitTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-emulated-split-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableTheory]
    [InlineData("PolyNorm", new long[] { 5, 1030 })]
    [InlineData("NormType1Order3", new long[] { 3, 2, 260 })]
    [InlineData("NormTanhType2Order3", new long[] { 4, 300 })]
    [InlineData("NormExpm1Type1Order3", new long[] { 4, 128 })]
    [InlineData("GatedNormType2Order3", new long[] { 6, 130 })]
    [InlineData("GatedNormType1Order2", new long[] { 3, 66 })]
    [InlineData("NormSwishBetaType2Order3", new long[] { 5, 200 })]
    public void StatisticsThenApplyEqualTheOneShotKernels(string name, long[] shape)
    {
        EmulatedParity.RequireEmulator();
        string python = PythonTorch.Require();
        using var scope = NewDisposeScope();
        PolyComActivation activation = SpecGrid.All[SpecGrid.IndexOf(name)];
        KernelInputs.Pickle(activation, shape, 91, Path.Combine(folder, "in.pt"));
        string module = Path.GetFileNameWithoutExtension(activation.WriteTorchModule(folder));
        var options = new CudaEmulationOptions();
        string[] ports = PythonTorch.FreePorts(2);

        var environment = new Dictionary<string, string> { ["POLYCOMGEN_EMULATED_LIBRARY"] = EmulatedDevice.LibraryFor(activation.Descriptor).Path };
        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(4), environment, Path.Combine(PythonTorch.ScriptFolder, "emulated_split.py"),
            folder, module, Path.Combine(folder, "in.pt"), options.Multiprocessors.ToString(System.Globalization.CultureInfo.InvariantCulture), ports[0], ports[1]);
        log.WriteLine(output);
        Assert.True(exitCode == 0, $"emulated_split.py failed ({exitCode}):\n{output}");
        Assert.Contains("P=1 torch.float16 dx: bitwise equal", output);
        Assert.Contains("P=1 torch.float32 (rows scaled by 2^40) y: bitwise equal", output);
        Assert.Contains("P=2 rank 1 dparameters: largest difference", output);
    }
}
