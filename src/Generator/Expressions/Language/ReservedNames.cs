using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace PolyComGen.Generator.Expressions.Language;

/// <summary>
/// The names a declared parameter may not take, each list from its source: a parameter becomes a field of the C#
/// module (beside the generated members and TorchSharp's <c>Module</c>'s), an attribute of the PyTorch module (beside
/// <c>torch.nn.Module</c>'s and the emitted module's own) and a state_dict key. Names are compared ignoring case.
/// </summary>
/// <remarks>
/// The lists that come from outside the generator are held equal to their sources by tests: TorchSharp's members by
/// reflection (ReservedNameTests), <c>dir(torch.nn.Module())</c> and the prelude's <c>PolyComModule</c> by Python
/// (reserved_names.py). C# keywords come from Roslyn itself. Python keywords from <c>keyword.kwlist</c> and
/// <c>keyword.softkwlist</c>, also tested.
/// </remarks>
internal static class ReservedNames
{
    /// <summary>The members the generator adds to a declared class (the C# module).</summary>
    public static readonly IReadOnlyList<string> GeneratedMembers =
        ["forward", "weight", "bias", "Weight", "Bias", "EagerForward", "KernelParameters", "ParametersFor", "Spec", "CudaSource", "TorchSource", "PolyComKernels"];

    /// <summary>
    /// The public and protected members of TorchSharp's <c>torch.nn.Module&lt;Tensor, Tensor&gt;</c> (its own, inherited and
    /// extension methods), which a field of the same name would hide.
    /// </summary>
    public static readonly IReadOnlyList<string> TorchSharpModuleMembers =
    [
        "BoxedModule", "ClearModules", "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create", "Dispose", "Equals", "Finalize",
        "GetDefaultDeviceAndType", "GetHashCode", "GetName", "GetType", "MemberwiseClone", "ReferenceEquals", "RegisterComponents", "ReplaceBuffer",
        "ReplaceParameter", "ToString", "_deviceIndex", "_deviceType", "_internal_buffers", "_internal_params", "_internal_submodules", "_named_buffers",
        "_named_parameters", "_parameters", "_to", "_toEpilog", "add_module", "apply", "buffers", "call", "children", "eval", "forward", "get_buffer",
        "get_parameter", "has_buffer", "has_parameter", "load", "load_state_dict", "module_post_hooks", "module_pre_hooks", "modules", "name",
        "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "post_hooks", "pre_hooks", "register_buffer",
        "register_forward_hook", "register_forward_pre_hook", "register_module", "register_parameter", "save", "save_state_dict", "state_dict", "train",
        "training", "zero_grad",
        // Extension methods on modules.
        "bfloat16", "bool", "byte", "cdouble", "cfloat", "char", "cpu", "cuda", "double", "float", "half", "int", "long", "short", "to",
    ];

    /// <summary>
    /// The public attributes of a <c>torch.nn.Module</c> instance (<c>dir(torch.nn.Module())</c>) over the PyTorch versions
    /// the module supports (1.13 to 2.x); a parameter of such a name cannot be registered. Private ones are all reserved
    /// (<see cref="Reason"/>: a leading underscore).
    /// </summary>
    public static readonly IReadOnlyList<string> TorchModuleAttributes =
    [
        "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda", "double", "dump_patches",
        "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half", "ipu", "load_state_dict",
        "modules", "mtia", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "register_backward_hook",
        "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook", "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module", "register_parameter",
        "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule", "share_memory",
        "state_dict", "to", "to_empty", "train", "training", "type", "xpu", "zero_grad",
    ];

    /// <summary>The attributes the emitted PyTorch module (the prelude's <c>PolyComModule</c> and its subclass) adds to <c>torch.nn.Module</c>'s.</summary>
    public static readonly IReadOnlyList<string> PyTorchModuleAttributes = ["process_group", "spec", "formula", "kernel_parameters"];

    /// <summary>Python's keywords and soft keywords (<c>keyword.kwlist</c>, <c>keyword.softkwlist</c>).</summary>
    public static readonly IReadOnlyList<string> PythonKeywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
        "with", "yield", "_", "case", "match", "type",
    ];

    private static readonly (IReadOnlyList<string> Names, string What)[] Sources =
    [
        (GeneratedMembers, "the generated module has a member of that name"),
        (TorchSharpModuleMembers, "TorchSharp's Module has a member of that name, which a parameter field would hide"),
        (TorchModuleAttributes, "torch.nn.Module has an attribute of that name, so the PyTorch module could not register the parameter"),
        (PyTorchModuleAttributes, "the emitted PyTorch module has an attribute of that name"),
        (PythonKeywords, "it is a Python keyword"),
    ];

    private static readonly Dictionary<string, string> ReasonOf = Sources
        .SelectMany(s => s.Names.Select(n => (Name: n.ToLowerInvariant(), s.What)))
        .GroupBy(p => p.Name)
        .ToDictionary(g => g.Key, g => string.Join("; ", g.Select(p => p.What).Distinct()));

    /// <summary>Every reserved name of the lists, in lower case.</summary>
    public static IEnumerable<string> All => ReasonOf.Keys;

    /// <summary>What <paramref name="name"/> collides with, or null when a parameter may take it.</summary>
    public static string? Reason(string name)
    {
        if (ReasonOf.TryGetValue(name.ToLowerInvariant(), out string? reason))
        {
            return reason;
        }
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            return "it is a C# keyword";
        }
        if (name.StartsWith("_", StringComparison.Ordinal))
        {
            return "names starting with an underscore are torch.nn.Module's private attributes and Python's";
        }
        return null;
    }
}
