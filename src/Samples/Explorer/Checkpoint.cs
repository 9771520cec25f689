using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>What a checkpoint's JSON beside it says: enough to build the model again, in C# or in PyTorch.</summary>
public sealed record CheckpointConfig(string Variant, int Seed, int Vocabulary, int Width, int Layers, int Heads, int SequenceLength, int Steps, double ValidationLoss);

/// <summary>
/// Trained models in PyTorch's own format (<c>torch.save</c> of the state_dict, written by TorchSharp.PyBridge), so
/// that <c>torch.load</c> reads them and <c>examples/torch/tiny_transformer.py</c> loads them into the same model;
/// the model's sizes in a JSON file beside each; the corpus beside them, for continuing training on the same data.
/// </summary>
public static class Checkpoint
{
    /// <summary>The checkpoint of a variant's seed in <paramref name="folder"/>: NAME-seedS.pt.</summary>
    public static string PathOf(string folder, string variant, int seed) => Path.Combine(folder, $"{variant}-seed{seed}.pt");

    /// <summary>Writes the model's state_dict to <paramref name="path"/> and its config beside it (.json).</summary>
    public static void Save(TinyTransformer model, string path, CheckpointConfig config)
    {
        model.save_py(path);
        File.WriteAllText(Path.ChangeExtension(path, ".json"), JsonSerializer.Serialize(config, Options));
    }

    /// <summary>The config of a checkpoint.</summary>
    public static CheckpointConfig ReadConfig(string path) =>
        JsonSerializer.Deserialize<CheckpointConfig>(File.ReadAllText(Path.ChangeExtension(path, ".json")), Options)
        ?? throw new ExplorerException($"No checkpoint config beside {path}.");

    /// <summary>The model of a checkpoint (written here or by PyTorch with the same keys), its weights loaded.</summary>
    public static TinyTransformer Load(string path)
    {
        CheckpointConfig config = ReadConfig(path);
        ActivationVariant variant = ActivationVariant.Select([config.Variant])[0];
        var model = new TinyTransformer(config.Vocabulary, new ModelShape(config.Width, config.Layers, config.Heads, config.SequenceLength), variant);
        model.load_py(path);
        return model;
    }

    /// <summary>Writes the corpus's token streams as int64 tensors "train" and "validation" (corpus.pt).</summary>
    public static void SaveCorpus(Corpus corpus, string folder)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["train"] = tensor(corpus.Train.Select(t => (long)t).ToArray()),
            ["validation"] = tensor(corpus.Validation.Select(t => (long)t).ToArray()),
        };
        PyTorchPickler.PickleStateDict(Path.Combine(folder, "corpus.pt"), tensors);
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
