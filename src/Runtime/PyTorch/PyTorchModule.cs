using System;
using System.IO;
using PolyComGen.Contract;

namespace PolyComGen.PyTorch;

/// <summary>
/// Puts together an activation's Python module for PyTorch: the generated template (its constants, its formula as
/// eager torch ops, its class), its CUDA translation unit, and the fixed prelude that every module shares (the
/// fused launch path through CuPy, the checks, the custom-op registration, the <c>nn.Module</c> base).
/// </summary>
public static class PyTorchModule
{
    private static readonly Lazy<string> Prelude = new(() =>
    {
        using Stream stream = typeof(PyTorchModule).Assembly.GetManifestResourceStream("PolyComGen.PyTorch.polycom_prelude.py")
            ?? throw new InvalidOperationException("The PolyComGen runtime lacks its embedded polycom_prelude.py.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n").TrimEnd('\n');
    });

    /// <summary>The complete module: <paramref name="template"/> with the CUDA source and the prelude in their places.</summary>
    /// <param name="template">A generated template (a generated class's <c>TorchSource</c> calls this with its own).</param>
    /// <param name="cudaSource">The activation's CUDA translation unit.</param>
    /// <exception cref="ArgumentException">The template lacks a placeholder line.</exception>
    public static string Compose(string template, string cudaSource)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(cudaSource);
        string text = template.Replace("\r\n", "\n");
        foreach (string line in new[] { SpecText.TorchCudaSourceLine, SpecText.TorchPreludeLine })
        {
            if (!text.Contains(line + "\n", StringComparison.Ordinal))
            {
                throw new ArgumentException($"The template has no line '{line}': it was not written by this version of the PolyComGen generator.", nameof(template));
            }
        }
        return text
            .Replace(SpecText.TorchCudaSourceLine + "\n", "CUDA_SOURCE = " + SpecText.PythonString(cudaSource) + "\n", StringComparison.Ordinal)
            .Replace(SpecText.TorchPreludeLine + "\n", Prelude.Value + "\n", StringComparison.Ordinal);
    }
}
