using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PolyComGen.Samples.Explorer;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Plot;

/// <summary>
/// What <c>polycom plot</c> draws: activations as declared (built-in, <c>--variant</c>), a trained checkpoint's
/// learned activations layer by layer against the same activation at its initialisation, and the gallery of the
/// built-ins; the explorer's and the search's plots of learned and winning activations come from here too.
/// </summary>
public static class PlotRun
{
    /// <summary>The default range of x.</summary>
    public const string DefaultRange = "-4,4";

    /// <summary>What an activation computes, for a title: its formula, or a baseline's description.</summary>
    public static string FormulaOf(ActivationVariant variant) => variant.Spec?.Formula ?? variant.Description;

    /// <summary>The curve of a fresh module of <paramref name="variant"/> (its parameters as declared).</summary>
    public static ActivationCurve Declared(ActivationVariant variant, double from, double to, string? label = null)
    {
        using nn.Module module = variant.Create();
        return ActivationCurve.Of(label ?? variant.Name, module, variant.Gated, from, to, variant.Groups);
    }

    /// <summary>
    /// The curve of <paramref name="variant"/> with the parameter values of <paramref name="values"/> (by name, as a
    /// run's <see cref="VariantResult.Learned"/> gives them for a layer).
    /// </summary>
    public static ActivationCurve WithValues(ActivationVariant variant, IReadOnlyDictionary<string, double[]> values, double from, double to, string label)
    {
        using nn.Module module = variant.Create();
        using (no_grad())
        {
            foreach (var (name, parameter) in module.named_parameters())
            {
                if (values.TryGetValue(name, out double[]? value))
                {
                    using Tensor source = tensor(value, dtype: ScalarType.Float64);
                    parameter.copy_(source.reshape(parameter.shape));
                }
            }
        }
        return ActivationCurve.Of(label, module, variant.Gated, from, to, variant.Groups);
    }

    /// <summary>One activation alone, or several as a gallery, to <paramref name="path"/> (a grouped one's first group).</summary>
    public static void Variants(IReadOnlyList<ActivationVariant> variants, double from, double to, string path)
    {
        if (variants.Count == 1)
        {
            ActivationPlot.Save(path, $"{variants[0].Name}: {FormulaOf(variants[0])}", [Declared(variants[0], from, to)]);
            return;
        }
        ActivationPlot.SaveGallery(path, variants.Select(v => ($"{v.Name}: {FormulaOf(v)}", (IReadOnlyList<ActivationCurve>)[Declared(v, from, to)])).ToList());
    }

    /// <summary>
    /// A checkpoint's learned activation, each layer's (its parameters as trained), with the same activation at its
    /// initialisation in grey; returns what it drew, for the console.
    /// </summary>
    public static string Checkpoint(string checkpoint, double from, double to, string path)
    {
        if (!File.Exists(checkpoint))
        {
            throw new ExplorerException($"No checkpoint at '{checkpoint}' (the explorer writes them to OUT/checkpoints/NAME-seedS.pt).");
        }
        CheckpointConfig config = Explorer.Checkpoint.ReadConfig(checkpoint);
        ActivationVariant variant = ActivationVariant.Select([config.Variant])[0];
        using TinyTransformer model = Explorer.Checkpoint.Load(checkpoint);
        var curves = new List<ActivationCurve> { Declared(variant, from, to, "at initialisation") with { Reference = true } };
        int layer = 0;
        foreach (IFeedForward feedForward in model.FeedForwards)
        {
            curves.Add(ActivationCurve.Of($"layer {++layer}", feedForward.Activation, variant.Gated, from, to, variant.Groups));
        }
        string learned;
        using (nn.Module fresh = variant.Create())
        {
            learned = fresh.parameters().Any() ? "learned" : "no parameters, the same in every layer";
        }
        ActivationPlot.Save(path, $"{config.Variant} ({learned}; seed {config.Seed}, {config.Steps} steps): {FormulaOf(variant)}", curves);
        return $"{config.Variant}, {layer} layers";
    }

    /// <summary>
    /// Each variant's learned activations after a run (its first seed's, layer by layer, against its initialisation in
    /// grey), a panel per variant that has parameters besides a PolyCom's weights and bias or is a PolyCom; false when
    /// no variant has any.
    /// </summary>
    public static bool Learned(IReadOnlyList<VariantSummary> summaries, IReadOnlyList<ActivationVariant> variants, string path, double from = -4, double to = 4)
    {
        var panels = new List<(string, IReadOnlyList<ActivationCurve>)>();
        foreach (VariantSummary summary in summaries)
        {
            ActivationVariant? variant = variants.FirstOrDefault(v => v.Name == summary.Variant);
            IReadOnlyList<IReadOnlyDictionary<string, double[]>>? layers = summary.Runs[0].Learned;
            if (variant is null || layers is null || layers.Count == 0 || layers[0].Count == 0)
            {
                continue;
            }
            var curves = new List<ActivationCurve> { Declared(variant, from, to, "initial") with { Reference = true } };
            curves.AddRange(layers.Select((values, l) => WithValues(variant, values, from, to, $"layer {l + 1}")));
            panels.Add(($"{variant.Name} (seed {summary.Runs[0].Seed})", curves));
        }
        if (panels.Count == 0)
        {
            return false;
        }
        ActivationPlot.SaveGallery(path, panels, columns: Math.Min(4, panels.Count));
        return true;
    }
}
