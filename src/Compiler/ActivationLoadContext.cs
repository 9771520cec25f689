using System;
using System.Reflection;
using System.Runtime.Loader;

namespace PolyComGen.Compiler;

/// <summary>
/// A collectible load context for the assembly of a run-time declaration or a user's compiled project: PolyComGen
/// and TorchSharp resolve to the copies this process already runs (one <see cref="PolyComActivation"/> type, one
/// libtorch), anything else to the loaded assembly's own folder when it has one, then to the default context.
/// </summary>
internal sealed class ActivationLoadContext : AssemblyLoadContext
{
    private static readonly Assembly[] Shared = [typeof(PolyComActivation).Assembly, typeof(TorchSharp.torch).Assembly];

    private readonly AssemblyDependencyResolver? _resolver;

    public ActivationLoadContext(string name, string? mainAssemblyPath = null)
        : base(name, isCollectible: true)
    {
        _resolver = mainAssemblyPath is null ? null : new AssemblyDependencyResolver(mainAssemblyPath);
    }

    protected override Assembly? Load(AssemblyName name)
    {
        foreach (Assembly shared in Shared)
        {
            if (string.Equals(shared.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
            {
                return shared;
            }
        }
        return _resolver?.ResolveAssemblyToPath(name) is string path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName) is string path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
