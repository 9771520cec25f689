using System;
using System.Linq;
using PolyComGen.Contract;

namespace PolyComGen;

/// <summary>
/// One activation of an assembly's generated registry (<c>{RootNamespace}.PolyComActivations.All</c>): its name,
/// spec and kernels, and a factory of fresh modules.
/// </summary>
/// <param name="Name">The declaring class's name.</param>
/// <param name="Spec">The spec.</param>
/// <param name="Factory">Creates a module with the default parameters.</param>
/// <param name="Descriptor">The kernel contract's description of the generated kernels, as the backends see them.</param>
/// <param name="TorchSource">The activation as a self-contained Python module for PyTorch (see <see cref="WriteTorchModule"/>).</param>
public sealed record PolyComActivation(string Name, PolyComSpec Spec, Func<IPolyComModule> Factory, KernelDescriptor Descriptor, string TorchSource)
{
    /// <summary>The file name of the Python module: the class name in lower case, <c>.py</c> (PolyNorm: polynorm.py).</summary>
    public string TorchFileName => SpecText.TorchFileName(Name);

    /// <summary>
    /// Writes the activation as a self-contained Python module for PyTorch into <paramref name="directory"/> (created
    /// if missing), replacing a file of the same name: an <c>nn.Module</c> named like the C# class, with the same
    /// parameters (a PolyCom's <c>weight</c> [Order] and <c>bias</c> [1], then the named ones), initial values and state_dict keys, whose forward runs the
    /// same CUDA kernels on CUDA tensors (NVRTC through CuPy) and the same formula as eager torch ops elsewhere.
    /// </summary>
    /// <returns>The path of the written file.</returns>
    public string WriteTorchModule(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, TorchFileName);
        System.IO.File.WriteAllText(path, TorchSource); // PyTorchModule.Compose already wrote \n line ends
        return path;
    }

    /// <summary>
    /// A new module: a <c>Module&lt;Tensor, Tensor&gt;</c>, or <c>Module&lt;Tensor, Tensor, Tensor&gt;</c> (x, gate) when
    /// gated; with experts, the offsets come last (<see cref="ModuleType"/>).
    /// </summary>
    public IPolyComModule Create() => Factory();

    /// <summary>
    /// A new module as the TorchSharp module type its forward has, typed: <c>Create&lt;Module&lt;Tensor, Tensor&gt;&gt;()</c>
    /// for an activation of x (see <see cref="ModuleType"/>).
    /// </summary>
    /// <typeparam name="TModule">The module type: <see cref="ModuleType"/>, or a type it derives from.</typeparam>
    /// <exception cref="InvalidCastException">The activation's forward has another type (the message names it).</exception>
    public TModule Create<TModule>() where TModule : class
    {
        IPolyComModule module = Factory();
        if (module is TModule typed)
        {
            return typed;
        }
        (module as IDisposable)?.Dispose();
        throw new InvalidCastException($"{Name} is a {ModuleType} ({Spec}); create it as Create<{ModuleType}>(), not as {typeof(TModule).Name}.");
    }

    /// <summary>
    /// The TorchSharp module type of its forward, as C# writes it: <c>Module&lt;Tensor, Tensor&gt;</c> (x), one more
    /// Tensor for the gate when gated, and one more for the offsets with experts.
    /// </summary>
    public string ModuleType => "Module<" + string.Join(", ", Enumerable.Repeat("Tensor", 2 + (Spec.Gated ? 1 : 0) + (Spec.Experts > 1 ? 1 : 0))) + ">";

    /// <summary>The CUDA translation unit.</summary>
    public string CudaSource => Descriptor.CudaSource;
}
