using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using PolyComGen.Samples.Explorer;
using Spectre.Console;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PolyComGen.Tests.Explorer;

/// <summary>The explorer's mixture-of-experts FFN: its routing against a token-by-token reference, and MoE runs.</summary>
public sealed class MixtureOfExpertsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pcg-moe-").FullName;

    private static IAnsiConsole Console => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("PolyNorm")]
    [InlineData("PolyNormGLU")]
    [InlineData("SwiGLU")]
    public void EachTokenGetsTheWeightedSumOfItsTopKExpertsFeedForwards(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        ActivationVariant variant = ActivationVariant.Select([name])[0];
        var shape = new ModelShape(Width: 16, Layers: 1, Heads: 2, SequenceLength: 8, Experts: 4, TopK: 2);
        var moe = new MixtureOfExperts(shape, variant);
        moe.to(float64);
        using (no_grad())
        {
            foreach (var (parameterName, parameter) in moe.Activation.named_parameters())
            {
                parameter.add_(randn_like(parameter) * 0.3); // every expert its own activation parameters
            }
        }
        Tensor x = randn([2, 8, 16], dtype: float64);

        Tensor y = moe.forward(x);

        // The reference, token by token: the router's top 2 experts, their weights renormalised, each expert's FFN on
        // the token alone (its activation with that expert's parameters: one row, grouped as that expert's).
        var parameters = moe.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Tensor flat = x.reshape(-1, 16);
        Tensor probabilities = nn.functional.softmax(flat.matmul(parameters["router.weight"].t()), -1);
        for (int t = 0; t < flat.shape[0]; t++)
        {
            var (weights, experts) = probabilities[t].topk(2);
            weights /= weights.sum();
            Tensor expected = zeros(16, dtype: float64);
            for (int k = 0; k < 2; k++)
            {
                int e = (int)experts[k].item<long>();
                Tensor offsets = tensor(Enumerable.Range(0, 5).Select(i => i > e ? 1L : 0L).ToArray());
                Tensor row = flat[t].unsqueeze(0), hidden = row.matmul(parameters["up"][e].t());
                Tensor activated = variant.Gated
                    ? ((nn.Module<Tensor, Tensor, Tensor, Tensor>)moe.Activation).forward(row.matmul(parameters["gate"][e].t()), hidden, offsets)
                    : ((nn.Module<Tensor, Tensor, Tensor>)moe.Activation).forward(hidden, offsets);
                expected += weights[k] * activated.matmul(parameters["down"][e].t())[0];
            }
            double error = (y.reshape(-1, 16)[t] - expected).abs().max().item<double>();
            Assert.True(error < 1e-12, $"{name} token {t}: error {error:E2}");
        }
        // The balance statistics of that forward: a loss near 1 when balanced, the busiest expert's share in [1/4, 1].
        Assert.InRange(moe.Busiest, 0.25, 1.0);
        Assert.True(moe.BalanceLoss!.item<double>() > 0);
    }

    [Fact]
    public void AnExploreRunWithExpertsTrainsMixturesAndReportsTheRoutersBalanceAndEveryExpertsParameters()
    {
        var options = ExplorerOptions.Default with
        {
            Variants = ["SwiGLU", "PolyNorm", "PolyNormGLU"], Steps = 30, Width = 16, Layers = 1, Heads = 2, SequenceLength = 16, BatchSize = 4,
            OutputFolder = folder, CorpusFile = "markov", Experts = 4, TopK = 2,
        };

        var report = ExplorerRun.Execute(options, Console, CancellationToken.None);

        Assert.All(report.Runs, r => Assert.InRange(r.Busiest, 0.25, 1.0));
        Assert.All(report.Runs, r => Assert.True(double.IsFinite(r.ValidationLoss)));
        string table = File.ReadAllText(report.Outputs.Table);
        Assert.Contains("busiest expert", table);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(report.Outputs.Json));
        string text = json.RootElement.ToString();
        // PolyNorm's weight per layer: 4 experts x 3 values.
        VariantResult polyNorm = report.Runs.Single(r => r.Variant == "PolyNorm");
        Assert.Equal(12, polyNorm.Learned![0]["weight"].Length);
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(folder, "checkpoints"), "*.pt"), f => !f.EndsWith("corpus.pt", StringComparison.Ordinal));
        Assert.Contains("weight", text);

        var bad = Assert.Throws<ExplorerException>(() => ExplorerRun.Execute(options with { TopK = 5 }, Console, CancellationToken.None));
        Assert.Contains("--top-k", bad.Message);
    }
}
