using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Backends.Cuda.Emulation;
using PolyComGen.Backends;
using PolyComGen.Verification;
using PolyComGen.Tests.Cuda.Emulation;
using PolyComGen.Tests.Numerics;
using PolyComGen.Tests.Support;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The emitted PyTorch module's CUDA launch path, run on the emulated CUDA device (a CuPy stand-in launches the
/// library the C# emulator compiled), against the C# launch path on the same device: bitwise the same outputs and
/// gradients in float32, bfloat16 and float16, so the Python module launches the kernels exactly as the runtime does.
/// </summary>
[Trait("Category", "Python")]
[Trait("Category", "CudaEmulation")]
public sealed class EmulatedLaunchTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-emulated-launch-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableTheory]
    [InlineData("PolyNorm", new long[] { 5, 1031 })]
    [InlineData("PolyReLU", new long[] { 3, 7, 333 })]
    [InlineData("NormTanhType2Order3", new long[] { 4, 300 })]
    [InlineData("GatedNormType2Order3", new long[] { 6, 129 })]
    [InlineData("GatedQuickGELUType1Order2", new long[] { 70001 })]
    [InlineData("KatGroupedRational", new long[] { 5, 1032 })]
    [InlineData("XIELU", new long[] { 3, 500 })]
    [InlineData("GroupedPolyNorm", new long[] { 6, 1028 })]
    public void ThePythonLaunchPathEqualsTheRuntimesBitwise(string name, long[] shape) =>
        LaunchBothAndCompare(SpecGrid.All[SpecGrid.IndexOf(name)], shape, null);

    /// <summary>With experts: one launch per direction with a row of blocks per expert, uneven experts and an empty one.</summary>
    [SkippableTheory]
    [InlineData("PolyNormExperts", new long[] { 3, 0, 5, 1 }, 1031)]
    [InlineData("PolyReLUExperts", new long[] { 9, 1, 0 }, 333)]
    [InlineData("GatedPolyNormExperts", new long[] { 0, 4, 7 }, 129)]
    [InlineData("KatGroupedRationalExperts", new long[] { 2, 6, 0 }, 1032)]
    public void ThePythonLaunchPathWithExpertsEqualsTheRuntimesBitwise(string name, long[] expertRows, long h) =>
        LaunchBothAndCompare(SpecGrid.WithExperts.Single(a => a.Name == name), [expertRows.Sum(), h], expertRows);

    private void LaunchBothAndCompare(PolyComActivation activation, long[] shape, long[]? expertRows)
    {
        EmulatedParity.RequireEmulator();
        string python = PythonTorch.Require();
        using var scope = NewDisposeScope();
        string name = activation.Name;
        KernelInputs inputs = KernelInputs.Pickle(activation, shape, 77, Path.Combine(folder, "in.pt"), expertRows);
        var (x, gate, dy, parameters) = inputs;
        string module = Path.GetFileNameWithoutExtension(activation.WriteTorchModule(folder));
        var options = new CudaEmulationOptions();

        var environment = new Dictionary<string, string> { ["POLYCOMGEN_EMULATED_LIBRARY"] = EmulatedDevice.LibraryFor(activation.Descriptor).Path };
        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(3), environment, Path.Combine(PythonTorch.ScriptFolder, "emulated_launch.py"),
            folder, module, name, Path.Combine(folder, "in.pt"), Path.Combine(folder, "out.pt"), options.Multiprocessors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, $"emulated_launch.py failed ({exitCode}):\n{output}");
        Hashtable py = PyTorchUnpickler.UnpickleStateDict(Path.Combine(folder, "out.pt"));

        foreach (ScalarType dtype in EmulatedParity.Dtypes)
        {
            string prefix = dtype switch { ScalarType.Float32 => "float32", ScalarType.BFloat16 => "bfloat16", _ => "float16" };
            Tensor y = CudaEmulator.Forward(activation.Descriptor, x.to(dtype), gate?.to(dtype), parameters.to(dtype), options, inputs.Offsets);
            PolyComGradients gradients = CudaEmulator.Backward(activation.Descriptor, x.to(dtype), gate?.to(dtype), dy.to(dtype), parameters.to(dtype), options, inputs.Offsets);
            Compare.BitwiseEqual((Tensor)py[prefix + ".y"]!, y.to(float32), $"{name} {dtype} y");
            Compare.BitwiseEqual((Tensor)py[prefix + ".dx"]!, gradients.Dx.to(float32), $"{name} {dtype} dx");
            Compare.BitwiseEqual((Tensor)py[prefix + ".dparameters"]!, gradients.Dparameters.to(float32), $"{name} {dtype} dparameters");
            if (gate is not null)
            {
                Compare.BitwiseEqual((Tensor)py[prefix + ".dgate"]!, gradients.Dgate!.to(float32), $"{name} {dtype} dgate");
            }
        }
    }
}
