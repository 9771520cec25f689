using System;
using System.IO;
using System.Linq;

namespace PolyComGen.Samples.Explorer;

/// <summary>Token streams to train and validate on.</summary>
/// <param name="EntropyFloor">The best achievable validation loss in nats per token, when known.</param>
public sealed record Corpus(string Description, int VocabularySize, int[] Train, int[] Validation, double? EntropyFloor)
{
    /// <summary>
    /// A second-order Markov chain over <paramref name="vocabulary"/> tokens: each pair of previous tokens
    /// has its own few likely successors (probabilities 0.6, 0.25, 0.1, with 0.05 spread over all tokens), so
    /// predicting well takes the interaction of two tokens, not either alone. Deterministic for a seed; the
    /// entropy floor is the average conditional entropy of the generated validation tokens.
    /// </summary>
    public static Corpus Synthetic(int seed = 1, int vocabulary = 16, int trainTokens = 200_000, int validationTokens = 20_000)
    {
        var random = new Random(seed);
        double[] shares = [0.6, 0.25, 0.1];
        const double Noise = 0.05;
        var successors = new int[vocabulary * vocabulary][];
        for (int context = 0; context < successors.Length; context++)
        {
            successors[context] = Enumerable.Range(0, vocabulary).OrderBy(_ => random.Next()).Take(shares.Length).ToArray();
        }
        double Probability(int context, int token)
        {
            double p = Noise / vocabulary;
            for (int k = 0; k < shares.Length; k++)
            {
                if (successors[context][k] == token)
                {
                    p += shares[k];
                }
            }
            return p;
        }
        double contextEntropy = -Enumerable.Range(0, vocabulary).Select(t => Probability(0, t)).Sum(p => p * Math.Log(p));

        int[] Generate(int length, Random source)
        {
            var tokens = new int[length];
            tokens[0] = source.Next(vocabulary);
            tokens[1] = source.Next(vocabulary);
            for (int i = 2; i < length; i++)
            {
                int context = tokens[i - 2] * vocabulary + tokens[i - 1];
                double draw = source.NextDouble();
                int next = source.Next(vocabulary); // the noise share
                double cumulative = 0;
                for (int k = 0; k < shares.Length; k++)
                {
                    cumulative += shares[k];
                    if (draw < cumulative)
                    {
                        next = successors[context][k];
                        break;
                    }
                }
                tokens[i] = next;
            }
            return tokens;
        }
        int[] train = Generate(trainTokens, new Random(seed * 7919 + 1));
        int[] validation = Generate(validationTokens, new Random(seed * 7919 + 2));
        // Every context has the same successor shares, so every prediction after the first two has this entropy.
        return new Corpus($"synthetic second-order Markov chain, {vocabulary} tokens, seed {seed}", vocabulary, train, validation, contextEntropy);
    }

    /// <summary>What <c>--corpus markov</c> names: the synthetic Markov chain instead of the default real text.</summary>
    public const string MarkovName = "markov";

    /// <summary>
    /// The corpus a <c>--corpus</c> option names: by default (null) the .NET SDK's reference documentation
    /// (<see cref="SdkDocumentation"/>), or the synthetic Markov chain where none is found (the description says why);
    /// <see cref="MarkovName"/> for the Markov chain; otherwise a text file.
    /// </summary>
    public static Corpus Open(string? option, int seed)
    {
        if (option is null)
        {
            if (SdkDocumentation.Find(out string reason) is string folder)
            {
                return SdkDocumentation.Load(folder);
            }
            Corpus markov = Synthetic(seed);
            return markov with { Description = markov.Description + $" (the default real text was not found: {reason})" };
        }
        return string.Equals(option, MarkovName, StringComparison.OrdinalIgnoreCase) ? Synthetic(seed) : FromFile(option);
    }

    /// <summary>A text file, byte-level (256 tokens): the first 90% trains, the rest validates.</summary>
    public static Corpus FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ExplorerException($"The corpus file '{path}' does not exist.");
        }
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64)
        {
            throw new ExplorerException($"The corpus file '{path}' has {bytes.Length} bytes; it needs at least 64 to train and validate on.");
        }
        int split = (int)(bytes.Length * 0.9);
        return new Corpus($"{Path.GetFileName(path)}, byte-level, {bytes.Length} bytes", 256,
            bytes[..split].Select(b => (int)b).ToArray(), bytes[split..].Select(b => (int)b).ToArray(), null);
    }
}

/// <summary>A problem with the explorer's input, reported as a message and a non-zero exit.</summary>
public sealed class ExplorerException(string message) : Exception(message);
