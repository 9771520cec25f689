using System;
using System.IO;
using System.Linq;
using PolyComGen.Tests.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace PolyComGen.Tests.Python;

/// <summary>
/// The emitted PyTorch module under tensor parallelism on the CPU (its eager path, gloo, two processes, each holding
/// half of every row): equal to the unsharded module on whole rows (float64 within 1e-12, float32 within 1e-5),
/// every rank's parameter gradients the whole ones; an elementwise activation's y and dx bitwise the same with the group; one with groups of columns refuses a group.
/// </summary>
[Trait("Category", "Python")]
public sealed class TensorParallelTests(ITestOutputHelper log) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-tensor-parallel-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    public void ShardedRowsGiveTheActivationOfTheWholeRows()
    {
        string python = PythonTorch.Require();
        string[] names = ["PolyNorm", "NormType1Order3", "NormTanhType2Order3", "GatedNormType2Order3", "NormSwishBetaType2Order3", "PolyReLU", "GroupedPolyNorm"];
        string[] modules = names.Select(n => Path.GetFileNameWithoutExtension(SpecGrid.All[SpecGrid.IndexOf(n)].WriteTorchModule(folder))).ToArray();

        var (exitCode, output) = PythonTorch.Run(python, folder, TimeSpan.FromMinutes(4),
            [Path.Combine(PythonTorch.ScriptFolder, "tensor_parallel.py"), folder, PythonTorch.FreePorts(1)[0], .. modules]);

        log.WriteLine(output);
        Assert.True(exitCode == 0, $"tensor_parallel.py failed ({exitCode}):\n{output}");
        Assert.Contains("rank 0 GroupedPolyNorm: rejects a process group: GroupedPolyNorm splits each row into 4 groups", output);
        foreach (string name in names[..^1])
        {
            Assert.Contains($"rank 1 {name} torch.float64: ", output);
            Assert.Contains($"rank 0 {name} torch.float32: ", output);
        }
        Assert.Contains("rank 1 PolyReLU torch.float32: elementwise, y and input gradients bitwise the same with and without the group", output);
    }
}
