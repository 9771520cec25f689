using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace PolyComGen.Compiler;

/// <summary>The generated registry (<c>PolyComActivations.All</c>) of an assembly: a user's compiled project, or one compiled at run time.</summary>
public static class PolyComRegistry
{
    /// <summary>The name of the class the generator writes in every assembly that declares activations.</summary>
    public const string ClassName = "PolyComActivations";

    /// <summary>
    /// The activations a compiled project declares, from its assembly at <paramref name="path"/>: loaded in a
    /// collectible context of its own, its dependencies resolved from its folder (its <c>.deps.json</c>) except
    /// PolyComGen and TorchSharp, which are this process's.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">The file is not a .NET assembly, or declares no activations.</exception>
    public static IReadOnlyList<PolyComActivation> FromAssembly(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No assembly at '{path}'.", full);
        }
        var context = new ActivationLoadContext($"PolyComGen: {Path.GetFileName(full)}", full);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException e)
        {
            context.Unload();
            throw new ArgumentException($"'{path}' is not a .NET assembly: {e.Message}", nameof(path), e);
        }
        return Of(assembly) is { Count: > 0 } activations
            ? activations
            : throw new ArgumentException($"'{path}' declares no activations: it has no generated {ClassName} class (does the project reference the PolyComGen package and declare a [PolyCom] or [Activation] class?).", nameof(path));
    }

    /// <summary>The activations of <paramref name="assembly"/>'s generated registry, or an empty list when it has none.</summary>
    public static IReadOnlyList<PolyComActivation> Of(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
        }
        return types
            .Where(t => t.Name == ClassName && t.IsAbstract && t.IsSealed) // static classes
            .Select(t => t.GetProperty("All", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<IReadOnlyList<PolyComActivation>>()
            .SelectMany(all => all)
            .ToList();
    }
}
