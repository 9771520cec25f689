using System;
using System.Linq;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;
using static TorchSharp.torch;

namespace PolyComGen.Backends;

/// <summary>The checks every backend makes before any kernel runs; each failure names the culprit.</summary>
internal static class InputChecks
{
    /// <summary>Neither the descriptor nor the input is null.</summary>
    public static void RequireNotNull(KernelDescriptor descriptor, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(x);
    }

    /// <summary>The input's dtype is one of the CUDA kernels' storage dtypes.</summary>
    public static void CheckCudaDtype(KernelDescriptor descriptor, Tensor x)
    {
        if (CudaLaunch.StorageOf(x.dtype) is null)
        {
            throw new ArgumentException($"{descriptor.Name}: input dtype {x.dtype} is not supported by the CUDA kernels; supported dtypes are {KernelContract.Listed(KernelContract.StorageTypes.Select(s => s.TorchName))}.", nameof(x));
        }
    }

    /// <summary>The upstream gradient has the input's dtype, shape and device.</summary>
    public static void CheckUpstream(KernelDescriptor descriptor, Tensor dy, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(dy);
        CheckLike(descriptor.Name, "the upstream gradient", dy, x, nameof(dy));
    }

    /// <summary>The gate and the parameter vector fit the input, and the input's shape fits the kernels.</summary>
    public static void CheckShapeAndParameters(KernelDescriptor descriptor, Tensor x, Tensor? gate, Tensor parameters, ExpertRows? experts)
    {
        string module = descriptor.Name;
        if (descriptor.Experts > 1 && experts is null)
        {
            throw new ArgumentNullException(nameof(experts), $"{module} has {descriptor.Experts} experts: it takes the rows grouped by expert and their offsets.");
        }
        if (experts is not null && (experts.Experts != descriptor.Experts || x.dim() != 2 || x.shape[0] != experts.Rows))
        {
            throw new ArgumentException($"{module}: the rows grouped by expert ({experts.Experts} experts, {experts.Rows} rows) do not fit the module's {descriptor.Experts} experts and x of shape [{string.Join(", ", x.shape)}].", nameof(experts));
        }
        if (descriptor.Gated && gate is null)
        {
            throw new ArgumentNullException(nameof(gate), $"{module} is gated: it multiplies by a gate of the input's shape, which is missing.");
        }
        if (!descriptor.Gated && gate is not null)
        {
            throw new ArgumentException($"{module} is not gated, so it takes no gate.", nameof(gate));
        }
        if (gate is not null)
        {
            CheckLike(module, "the gate", gate, x, nameof(gate));
        }
        CheckParameters(descriptor, parameters, x, experts is null ? descriptor.ParameterCount : descriptor.ExpertParameterCount);
        if (descriptor.Groups > 1 && (x.dim() == 0 || x.shape[^1] % descriptor.Groups != 0))
        {
            string length = x.dim() == 0 ? "a 0-dimensional input has none" : $"the input's is {x.shape[^1]}";
            throw new ArgumentException($"{module} splits the last dimension into {descriptor.Groups} groups of equal length, but {length}; give it a last dimension divisible by {descriptor.Groups}.", nameof(x));
        }
        if (descriptor.Rowwise && x.dim() == 0)
        {
            throw new ArgumentException($"{module}: Norm normalises over the last dimension, but the input is a 0-dimensional tensor; give it shape [..., H].", nameof(x));
        }
        if (x.dim() > 0 && x.shape[^1] > int.MaxValue)
        {
            throw new ArgumentException($"{module}: the last dimension ({x.shape[^1]}) exceeds {int.MaxValue} elements.", nameof(x));
        }
        if (descriptor.Rowwise && x.shape[^1] > 0 && x.numel() / x.shape[^1] > int.MaxValue)
        {
            throw new ArgumentException($"{module}: the input has {x.numel() / x.shape[^1]} rows; at most {int.MaxValue} are supported.", nameof(x));
        }
    }

    // Same dtype, device and shape as x: broadcasting is not supported.
    private static void CheckLike(string module, string what, Tensor tensor, Tensor x, string name)
    {
        if (tensor.dtype != x.dtype || tensor.device_type != x.device_type || tensor.device_index != x.device_index || !tensor.shape.AsSpan().SequenceEqual(x.shape))
        {
            throw new ArgumentException($"{module}: {what} ({tensor.dtype}, [{string.Join(", ", tensor.shape)}] on {tensor.device}) must have the input's dtype, shape and device ({x.dtype}, [{string.Join(", ", x.shape)}] on {x.device}).", name);
        }
    }

    private static void CheckParameters(KernelDescriptor descriptor, Tensor parameter, Tensor x, long length)
    {
        const string name = "parameters";
        string module = descriptor.Name;
        if (parameter is null)
        {
            throw new ArgumentNullException(name, $"{module}: the parameter vector is null.");
        }
        if (parameter.dtype != x.dtype)
        {
            throw new ArgumentException($"{module}: input dtype {x.dtype} does not match the parameters' dtype {parameter.dtype}; convert the module with .to({x.dtype}) or the input with .to({parameter.dtype}).", name);
        }
        if (parameter.device_type != x.device_type || parameter.device_index != x.device_index)
        {
            throw new ArgumentException($"{module}: input is on {x.device} but the parameters are on {parameter.device}; move them to the same device.", name);
        }
        if (parameter.dim() != 1 || parameter.shape[0] != length)
        {
            string each = descriptor.Experts > 1 ? $"{descriptor.Experts} experts' {string.Join(", ", descriptor.ParameterNames)}" : string.Join(", ", descriptor.ParameterNames);
            throw new ArgumentException($"{module}: the parameter vector has shape [{string.Join(", ", parameter.shape)}]; expected [{length}] ({each}).", name);
        }
    }
}
