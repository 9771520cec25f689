using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>An FFN activation the explorer can train with.</summary>
/// <param name="Name">The name used on the command line and in the outputs.</param>
/// <param name="Description">What it computes.</param>
/// <param name="Gated">
/// True for the gated form act(a) * b, where the FFN feeds two projections of width 2/3 of the others (equal
/// parameters): <see cref="Create"/> then makes a <c>Module&lt;Tensor, Tensor, Tensor&gt;</c>, else a
/// <c>Module&lt;Tensor, Tensor&gt;</c>.
/// </param>
/// <param name="Create">A fresh activation module.</param>
/// <param name="Declaration">The declaration it was compiled from at run time (<c>--variant</c>, the search), or null.</param>
/// <param name="Groups">The groups a grouped activation splits the hidden width into (the FFN's hidden width is a multiple of it).</param>
/// <param name="Spec">The spec of a generated activation (null for the baselines written as functions): its form with experts is compiled from it.</param>
/// <param name="Operations">Its arithmetic per element, forward and backward, for compute accounting (<see cref="TrainingCompute"/>).</param>
public sealed record ActivationVariant(string Name, string Description, bool Gated, Func<nn.Module> Create, string? Declaration = null, int Groups = 1, PolyComSpec? Spec = null,
    ActivationOperations Operations = default)
{
    /// <summary>
    /// The activation for a mixture of <paramref name="experts"/> experts, whose forward takes the rows grouped by
    /// expert and their offsets: a generated activation's spec with <c>Experts</c>, compiled at run time once per
    /// process (each expert gets its own parameters); a baseline without parameters, the same function for every expert.
    /// </summary>
    public nn.Module CreateExperts(int experts)
    {
        if (Spec is null)
        {
            return Gated ? new GatedOffsetsIgnored(Name, (nn.Module<Tensor, Tensor, Tensor>)Create()) : new OffsetsIgnored(Name, (nn.Module<Tensor, Tensor>)Create());
        }
        string declaration = (Spec with { Experts = experts }).ToString().TrimStart('[').TrimEnd(']');
        return (nn.Module)PolyComGen.Compiler.PolyComCompiler.Compile(declaration, $"{Name}{experts}Experts").Create();
    }

    /// <summary>An activation without parameters in a mixture: every expert's rows alike.</summary>
    private sealed class OffsetsIgnored(string name, nn.Module<Tensor, Tensor> activation) : nn.Module<Tensor, Tensor, Tensor>(name)
    {
        private readonly nn.Module<Tensor, Tensor> activation = activation;

        public override Tensor forward(Tensor x, Tensor offsets) => activation.forward(x);
    }

    /// <summary>A gated activation without parameters in a mixture.</summary>
    private sealed class GatedOffsetsIgnored(string name, nn.Module<Tensor, Tensor, Tensor> activation) : nn.Module<Tensor, Tensor, Tensor, Tensor>(name)
    {
        private readonly nn.Module<Tensor, Tensor, Tensor> activation = activation;

        public override Tensor forward(Tensor a, Tensor b, Tensor offsets) => activation.forward(a, b);
    }

    /// <summary>What the generator counts for <c>[Activation("silu(x)")]</c>, the part of SwiGLU before its gate.</summary>
    public static ActivationOperations SiLU { get; } = new(2, 6);

    /// <summary>
    /// The baselines that are not PolyComs: SwiGLU, GELU, ReLU and ReLU². Their operations per element are what the
    /// generator counts for the same functions declared as <c>[Activation]</c>s (a test compiles them and compares);
    /// SwiGLU's are silu's, and the gate's products: one forward (times b), three backward (silu(a) for db, g * b,
    /// db = g * silu(a)).
    /// </summary>
    public static IReadOnlyList<ActivationVariant> Baselines { get; } =
    [
        new("SwiGLU", "silu(a) * b, hidden width 2/3 of the ungated ones for equal parameters", true,
            () => new GatedLambda("SwiGLU", (a, b) => nn.functional.silu(a) * b), Operations: new(SiLU.Forward + 1, SiLU.Backward + 3)),
        new("GELU", "gelu(x)", false, () => new Lambda("GELU", x => nn.functional.gelu(x)), Operations: new(5, 12)),
        new("ReLU", "relu(x)", false, () => new Lambda("ReLU", x => nn.functional.relu(x)), Operations: new(1, 2)),
        new("ReLU2", "relu(x)^2", false, () => new Lambda("ReLU2", x => nn.functional.relu(x).square()), Operations: new(2, 5)),
    ];

    /// <summary>The baselines, then every [PolyCom] and [Activation] class of this tool.</summary>
    public static IReadOnlyList<ActivationVariant> All { get; } = [.. Baselines, .. PolyComActivations.All.Select(a => Of(a))];

    /// <summary>The variant of a generated activation: a build's registry entry, or one compiled at run time from <paramref name="declaration"/>.</summary>
    public static ActivationVariant Of(PolyComActivation activation, string? declaration = null) =>
        new(activation.Name, activation.Spec.ToString(), activation.Spec.Gated, () => (nn.Module)activation.Create(), declaration, activation.Spec.Groups, activation.Spec,
            new ActivationOperations(activation.Descriptor.ForwardOperations, activation.Descriptor.BackwardOperations));

    /// <summary>
    /// The variants named in <paramref name="names"/> (case-insensitive) among <see cref="All"/> and
    /// <paramref name="more"/> (run-time and assembly variants); throws listing the known ones otherwise.
    /// </summary>
    public static IReadOnlyList<ActivationVariant> Select(IEnumerable<string> names, IReadOnlyList<ActivationVariant>? more = null)
    {
        IReadOnlyList<ActivationVariant> known = [.. more ?? [], .. All];
        var chosen = new List<ActivationVariant>();
        foreach (string name in names)
        {
            ActivationVariant variant = known.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ExplorerException($"Unknown variant '{name}' (did you mean {Nearest(name, known.Select(v => v.Name))}?). Known variants: {string.Join(", ", known.Select(v => v.Name))}.");
            if (!chosen.Contains(variant))
            {
                chosen.Add(variant);
            }
        }
        return chosen.Count > 0 ? chosen : throw new ExplorerException("No variant was chosen.");
    }

    /// <summary>The candidate nearest to <paramref name="name"/> by edit distance, ignoring case (the first of equals).</summary>
    public static string Nearest(string name, IEnumerable<string> candidates) =>
        candidates.OrderBy(c => EditDistance(name.ToLowerInvariant(), c.ToLowerInvariant())).First();

    // Levenshtein distance: insertions, deletions and substitutions of one character.
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>An activation written as a function.</summary>
    private sealed class Lambda(string name, Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor x) => function(x);
    }

    /// <summary>A gated activation written as a function of (a, b).</summary>
    private sealed class GatedLambda(string name, Func<Tensor, Tensor, Tensor> function) : nn.Module<Tensor, Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor a, Tensor b) => function(a, b);
    }
}
