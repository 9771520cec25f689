using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace PolyComGen.Samples.Explorer;

/// <summary>Training hyperparameters, shared by every variant of a run (as in the paper's setup).</summary>
public sealed record TrainingOptions(int Steps, int BatchSize, double LearningRate, int Seed, Device Device)
{
    public const double WeightDecay = 0.1, Beta1 = 0.9, Beta2 = 0.95, ClipNorm = 1.0, WarmupFraction = 0.1;

    /// <summary>
    /// The weight of a mixture of experts' load-balancing loss (switch's E * sum_e f_e * p_e, summed over layers) in the
    /// training loss: 0.01, Switch Transformer's. Validation losses are the language-model loss alone.
    /// </summary>
    public const double BalanceWeight = 0.01;

    /// <summary>Linear warm-up over the first tenth of the steps, then cosine decay to a tenth of the peak.</summary>
    public double LearningRateAt(int step)
    {
        int warmup = Math.Max(1, (int)(Steps * WarmupFraction));
        if (step < warmup)
        {
            return LearningRate * (step + 1) / warmup;
        }
        double progress = (double)(step - warmup) / Math.Max(1, Steps - warmup);
        return LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}

/// <summary>What training one variant with one model seed produced.</summary>
/// <param name="Seed">The seed of the model's initialisation (the data and its order are the run's, the same for every seed).</param>
/// <param name="Ranks">The effective rank of each FFN weight matrix after training, per layer.</param>
/// <param name="Learned">
/// The final values of the activation's learnable parameters in each layer (first layer first), by name: a PolyCom's
/// weight and bias, and the parameters its declaration names; empty for activations without parameters.
/// </param>
public sealed record VariantResult(
    string Variant, int Seed, long Parameters, IReadOnlyList<double> TrainLoss, double FinalTrainLoss, double ValidationLoss,
    IReadOnlyList<LayerRank> Ranks, double TokensPerSecond, TimeSpan WallTime, bool Completed,
    IReadOnlyList<IReadOnlyDictionary<string, double[]>>? Learned = null)
{
    /// <summary>
    /// The validation loss at the start, every tenth of the run and at its end (<see cref="Trainer.Evaluations"/>), for
    /// the effective speedup; the last point is <see cref="ValidationLoss"/>.
    /// </summary>
    public IReadOnlyList<CurvePoint> ValidationCurve { get; init; } = [];

    /// <summary>
    /// For a mixture of experts: the fraction of token copies that the busiest expert received in the final validation
    /// forward, averaged over layers (1/E when perfectly balanced); NaN for dense FFNs.
    /// </summary>
    public double Busiest { get; init; } = double.NaN;

    /// <summary>A training step's FLOPs per token (<see cref="TrainingCompute.PerToken"/>), the activation's own included; NaN when not known.</summary>
    public double FlopsPerToken { get; init; } = double.NaN;

    /// <summary>The FFN effective rank averaged over layers and matrices.</summary>
    public double MeanRank => Ranks.Count == 0 ? double.NaN : Ranks.Average(r => r.Mean);
}

/// <summary>Trains one variant of the model on a corpus.</summary>
public static class Trainer
{
    // Held for the process: a temporary Scalar can be freed by a collection while libtorch reads it (see Scalars).
    private static readonly Scalar BalanceWeight = TrainingOptions.BalanceWeight.ToScalar();

    /// <summary>The steps of each run before its speed is timed: they pay for compiling what runs for the first time.</summary>
    public const int TimedAfterSteps = 10;

    /// <summary>How often a run measures its validation loss: before the first step, then this many times, evenly, the last at its end.</summary>
    public const int Evaluations = 10;

    /// <summary>
    /// Trains a throwaway model of <paramref name="variant"/> for a few steps, untimed and unreported, so that the
    /// process's one-time costs (libtorch's thread pools, the JIT of the training loop) fall on no variant's timing.
    /// Each run seeds its own model and batches, so this changes no result.
    /// </summary>
    public static void WarmUp(ActivationVariant variant, Corpus corpus, ModelShape shape, TrainingOptions options) =>
        Train(variant, corpus, shape, options with { Steps = Math.Min(options.Steps, 2 * TimedAfterSteps) }, options.Seed, (_, _, _) => { }, CancellationToken.None);

    /// <param name="modelSeed">The seed of the model's initialisation; the batches follow <see cref="TrainingOptions.Seed"/>.</param>
    /// <param name="progress">Called after each step with (step, loss, tokens per second).</param>
    /// <param name="checkpoint">Where to save the trained model (PyTorch's format, see <see cref="Checkpoint"/>), or null.</param>
    public static VariantResult Train(
        ActivationVariant variant, Corpus corpus, ModelShape shape, TrainingOptions options, int modelSeed,
        Action<int, double, double> progress, CancellationToken cancellation, string? checkpoint = null)
    {
        using var scope = NewDisposeScope();
        manual_seed(modelSeed);
        var model = new TinyTransformer(corpus.VocabularySize, shape, variant);
        model.to(options.Device);
        long parameters = model.parameters().Sum(p => p.numel());
        using var optimizer = new ExplorerAdamW(model.parameters(), TrainingOptions.Beta1, TrainingOptions.Beta2, 1e-8, TrainingOptions.WeightDecay);
        var batches = new Random(options.Seed);
        var losses = new List<double>();
        // Speed is timed from the end of the warm-up steps on (first calls compile code), so that tokens/s and wall time
        // compare variants rather than their order; runs too short for that are timed whole.
        int untimed = options.Steps > 2 * TimedAfterSteps ? TimedAfterSteps : 0;
        var clock = new Stopwatch();
        long tokensSeen = 0;
        bool completed = true;
        // The validation curve: evaluation draws no batches, so it changes no training step; it is not timed.
        var curve = new List<CurvePoint> { new(0, Evaluate(model, corpus.Validation, shape.SequenceLength, options)) };
        int interval = Math.Max(1, options.Steps / Evaluations);
        for (int step = 0; step < options.Steps; step++)
        {
            if (step == untimed)
            {
                clock.Start();
            }
            if (cancellation.IsCancellationRequested)
            {
                completed = false;
                break;
            }
            using var stepScope = NewDisposeScope();
            var (inputs, targets) = Batch(corpus.Train, options.BatchSize, shape.SequenceLength, batches, options.Device);
            optimizer.ZeroGrad();
            Tensor loss = Loss(model, inputs, targets);
            Tensor objective = model.BalanceLoss() is Tensor balance ? loss.add(balance, BalanceWeight) : loss;
            objective.backward();
            nn.utils.clip_grad_norm_(model.parameters(), TrainingOptions.ClipNorm);
            optimizer.Step(options.LearningRateAt(step));
            double value = loss.item<float>();
            losses.Add(value);
            if (clock.IsRunning)
            {
                tokensSeen += (long)options.BatchSize * shape.SequenceLength;
            }
            progress(step + 1, value, tokensSeen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
            if ((step + 1) % interval == 0 && step + 1 < options.Steps)
            {
                bool timing = clock.IsRunning;
                clock.Stop();
                curve.Add(new CurvePoint(step + 1, Evaluate(model, corpus.Validation, shape.SequenceLength, options)));
                if (timing)
                {
                    clock.Start();
                }
            }
        }
        clock.Stop();
        double validation = Evaluate(model, corpus.Validation, shape.SequenceLength, options);
        double busiest = model.Busiest; // of the validation forward just run
        curve.Add(new CurvePoint(losses.Count, validation));
        double finalTrain = losses.Count == 0 ? double.NaN : losses.Skip(Math.Max(0, losses.Count - 10)).Average();
        if (checkpoint is not null && shape.Experts == 1) // the PyTorch model of "Training at scale" is dense
        {
            Checkpoint.Save(model, checkpoint, new CheckpointConfig(variant.Name, modelSeed, corpus.VocabularySize, shape.Width, shape.Layers, shape.Heads,
                shape.SequenceLength, losses.Count, validation));
        }
        return new VariantResult(variant.Name, modelSeed, parameters, losses, finalTrain, validation, EffectiveRank.OfFeedForwards(model),
            tokensSeen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed, completed, LearnedValues(model)) { ValidationCurve = curve, Busiest = busiest, FlopsPerToken = TrainingCompute.PerToken(shape, variant, corpus.VocabularySize) };
    }

    // Each layer's activation parameters, by name, as float64 values.
    private static IReadOnlyList<IReadOnlyDictionary<string, double[]>> LearnedValues(TinyTransformer model) =>
        model.FeedForwards.Select(ffn => (IReadOnlyDictionary<string, double[]>)ffn.Activation.named_parameters()
            .ToDictionary(p => p.name, p => p.parameter.detach().cpu().to(ScalarType.Float64).reshape(-1).data<double>().ToArray())).ToList();

    private static Tensor Loss(TinyTransformer model, Tensor inputs, Tensor targets)
    {
        Tensor logits = model.forward(inputs);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1));
    }

    // Mean loss over windows spread evenly over the validation stream (up to 64 of them), in nats per token.
    private static double Evaluate(TinyTransformer model, int[] tokens, int length, TrainingOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        int windows = Math.Min(64, (tokens.Length - 1) / length);
        if (windows == 0)
        {
            return double.NaN;
        }
        var inputs = new long[windows * length];
        var targets = new long[windows * length];
        long stride = (tokens.Length - 1 - length) / Math.Max(1, windows - 1);
        for (int w = 0; w < windows; w++)
        {
            long start = windows == 1 ? 0 : w * stride;
            for (int t = 0; t < length; t++)
            {
                inputs[w * length + t] = tokens[start + t];
                targets[w * length + t] = tokens[start + t + 1];
            }
        }
        Tensor loss = Loss(model, tensor(inputs, [windows, length]).to(options.Device), tensor(targets, [windows, length]).to(options.Device));
        model.train();
        return loss.item<float>();
    }

    private static (Tensor Inputs, Tensor Targets) Batch(int[] tokens, int batch, int length, Random random, Device device)
    {
        var inputs = new long[batch * length];
        var targets = new long[batch * length];
        for (int b = 0; b < batch; b++)
        {
            int start = random.Next(tokens.Length - length - 1);
            for (int t = 0; t < length; t++)
            {
                inputs[b * length + t] = tokens[start + t];
                targets[b * length + t] = tokens[start + t + 1];
            }
        }
        return (tensor(inputs, [batch, length]).to(device), tensor(targets, [batch, length]).to(device));
    }
}
