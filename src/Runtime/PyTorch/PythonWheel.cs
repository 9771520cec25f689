using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PolyComGen.Contract;

namespace PolyComGen.PyTorch;

/// <summary>
/// A Python wheel of activations as PyTorch modules (<c>polycomgen</c>, pure Python, any platform): each activation's
/// generated module (<see cref="PolyComActivation.TorchSource"/>, never written by hand) and an index,
/// <c>polycomgen/__init__.py</c>, through which <c>polycomgen.PolyNorm</c> and <c>polycomgen.load("PolyNorm")</c> give
/// the classes (each module imported on first use) and <c>polycomgen.DECLARATIONS</c> the declarations as text.
/// <c>pip install polycomgen-VERSION-py3-none-any.whl</c> installs it; it needs PyTorch, and CuPy for the fused CUDA kernels.
/// </summary>
public static class PythonWheel
{
    /// <summary>The distribution's and the import package's name.</summary>
    public const string Package = "polycomgen";

    /// <summary>Writes the wheel of <paramref name="activations"/> into <paramref name="folder"/> (created if missing).</summary>
    /// <param name="folder">Where the .whl goes.</param>
    /// <param name="activations">The activations, each a class of the package (their names must differ).</param>
    /// <param name="version">The version, as Python writes one (PEP 440): 0.1.0, 0.1.0.dev3 ...</param>
    /// <returns>The path of the wheel.</returns>
    /// <exception cref="ArgumentException">No activations, two of one name, or a version Python would not accept.</exception>
    public static string Write(string folder, IEnumerable<PolyComActivation> activations, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(activations);
        List<PolyComActivation> all = activations.ToList();
        if (all.Count == 0)
        {
            throw new ArgumentException("A wheel needs at least one activation.", nameof(activations));
        }
        if (all.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Two activations are named {twice.Key} (module names ignore case): give them different names.", nameof(activations));
        }
        if (!System.Text.RegularExpressions.Regex.IsMatch(version ?? "", @"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$"))
        {
            throw new ArgumentException($"'{version}' is not a Python version (PEP 440), e.g. 0.1.0 or 0.1.0.dev20261206.", nameof(version));
        }
        var files = new List<(string Path, byte[] Bytes)>();
        foreach (PolyComActivation activation in all)
        {
            files.Add(($"{Package}/{activation.TorchFileName}", Encoding.UTF8.GetBytes(activation.TorchSource)));
        }
        files.Add(($"{Package}/__init__.py", Encoding.UTF8.GetBytes(Index(all, version!))));
        string info = $"{Package}-{version}.dist-info";
        files.Add(($"{info}/METADATA", Encoding.UTF8.GetBytes(
            $"Metadata-Version: 2.1\nName: {Package}\nVersion: {version}\nSummary: PolyComGen's fused polynomial-composition activations as PyTorch modules\n" +
            "Requires-Python: >=3.8\nRequires-Dist: torch\nProvides-Extra: cuda\nRequires-Dist: cupy; extra == \"cuda\"\n")));
        files.Add(($"{info}/WHEEL", Encoding.UTF8.GetBytes("Wheel-Version: 1.0\nGenerator: PolyComGen\nRoot-Is-Purelib: true\nTag: py3-none-any\n")));
        var record = new StringBuilder();
        foreach (var (path, bytes) in files)
        {
            string hash = Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append(System.Globalization.CultureInfo.InvariantCulture, $"{path},sha256={hash},{bytes.Length}\n");
        }
        record.Append($"{info}/RECORD,,\n");
        files.Add(($"{info}/RECORD", Encoding.UTF8.GetBytes(record.ToString())));

        Directory.CreateDirectory(folder);
        string wheel = Path.Combine(folder, $"{Package}-{version}-py3-none-any.whl");
        string temporary = wheel + ".partial";
        using (var archive = ZipFile.Open(temporary, ZipArchiveMode.Create))
        {
            foreach (var (path, bytes) in files)
            {
                // A fixed time: the same activations give the same wheel.
                ZipArchiveEntry entry = archive.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using Stream stream = entry.Open();
                stream.Write(bytes);
            }
        }
        File.Move(temporary, wheel, overwrite: true);
        return wheel;
    }

    // The package's index: the declarations, and each class imported from its module on first use.
    private static string Index(IReadOnlyList<PolyComActivation> activations, string version)
    {
        var text = new StringBuilder();
        text.Append("\"\"\"PolyComGen's activations as PyTorch modules, generated by PolyComGen (not written by hand).\n\n");
        text.Append("    import polycomgen\n    act = polycomgen.PolyNorm()            # or polycomgen.load(\"PolyNorm\")()\n");
        text.Append("    print(polycomgen.DECLARATIONS[\"PolyNorm\"])\n\n");
        text.Append("Each class is a torch.nn.Module with the C# module's parameters and state_dict keys: the fused CUDA kernels on CUDA\n");
        text.Append("tensors (NVRTC through CuPy), the same formula as eager torch ops elsewhere.\n\"\"\"\n");
        text.Append("import importlib as _importlib\n\n");
        text.Append($"__version__ = {SpecText.PythonString(version)}\n\n");
        text.Append("#: Each activation's declaration, as written in C#.\nDECLARATIONS = {\n");
        foreach (PolyComActivation a in activations)
        {
            text.Append($"    {SpecText.PythonString(a.Name)}: {SpecText.PythonString(a.Spec.ToString())},\n");
        }
        text.Append("}\n\n_MODULES = {\n");
        foreach (PolyComActivation a in activations)
        {
            text.Append($"    {SpecText.PythonString(a.Name)}: {SpecText.PythonString(Path.GetFileNameWithoutExtension(a.TorchFileName))},\n");
        }
        text.Append("}\n\n__all__ = sorted(DECLARATIONS) + [\"DECLARATIONS\", \"load\"]\n\n\n");
        text.Append("def load(name):\n");
        text.Append("    \"\"\"The activation class named NAME (a torch.nn.Module subclass), imported from its module.\"\"\"\n");
        text.Append("    module = _MODULES.get(name)\n");
        text.Append("    if module is None:\n");
        text.Append("        raise KeyError(f\"polycomgen has no activation {name!r}; it has {', '.join(sorted(DECLARATIONS))}.\")\n");
        text.Append("    return getattr(_importlib.import_module(\".\" + module, __name__), name)\n\n\n");
        text.Append("def __getattr__(name):\n");
        text.Append("    if name in _MODULES:\n");
        text.Append("        return load(name)\n");
        text.Append("    raise AttributeError(f\"module 'polycomgen' has no attribute {name!r}\")\n");
        return text.ToString();
    }
}
