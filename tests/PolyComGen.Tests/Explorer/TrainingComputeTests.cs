using System.Collections.Generic;
using System.Linq;
using PolyComGen.Compiler;
using PolyComGen.Samples.Explorer;
using Xunit;

namespace PolyComGen.Tests.Explorer;

/// <summary>
/// Compute accounting: the generator's operation counts per element, the baselines' counts against the generator's
/// for the same functions, a training step's FLOPs per token, and the effective speedup in FLOPs.
/// </summary>
public sealed class TrainingComputeTests
{
    private static ActivationOperations Counted(string declaration)
    {
        PolyComActivation compiled = PolyComCompiler.Compile(declaration);
        return new ActivationOperations(compiled.Descriptor.ForwardOperations, compiled.Descriptor.BackwardOperations);
    }

    [Fact]
    public void TheGeneratorCountsEachOperationOnceAndPowersByTheirMultiplications()
    {
        // exp(x): one exp forward; backward g * exp(x), two.
        Assert.Equal(new ActivationOperations(1, 2), Counted("Activation(\"exp(x)\")"));
        // A shared subexpression is evaluated once: exp(x) * exp(x) is exp(x)^2, an exp and a squaring.
        Assert.Equal(Counted("Activation(\"exp(x)^2\")").Forward, Counted("Activation(\"exp(x) * exp(x)\")").Forward);
        Assert.Equal(2, Counted("Activation(\"exp(x) * exp(x)\")").Forward);
        // x^5 by repeated squaring: x^2, x^4, x^4 * x.
        Assert.Equal(3, Counted("Activation(\"x^5\")").Forward);
        // A norm's forward adds a sum of squares per element to what the elementwise form does.
        Assert.True(Counted("PolyCom(Order = 3, Inner = \"Norm\", Type = 2)").Forward > Counted("PolyCom(Order = 3, Inner = \"Identity\", Type = 2)").Forward);
    }

    [Fact]
    public void TheBaselinesCountWhatTheGeneratorCountsForTheSameFunctions()
    {
        var baselines = ActivationVariant.Baselines.ToDictionary(v => v.Name, v => v.Operations);
        Assert.Equal(Counted("Activation(\"gelu(x)\")"), baselines["GELU"]);
        Assert.Equal(Counted("Activation(\"relu(x)\")"), baselines["ReLU"]);
        Assert.Equal(Counted("Activation(\"relu(x)^2\")"), baselines["ReLU2"]);
        ActivationOperations silu = Counted("Activation(\"silu(x)\")");
        Assert.Equal(silu, ActivationVariant.SiLU);
        Assert.Equal(new ActivationOperations(silu.Forward + 1, silu.Backward + 3), baselines["SwiGLU"]);
        // Every generated variant carries its kernels' counts.
        Assert.All(ActivationVariant.All.Where(v => v.Spec is not null), v => Assert.True(v.Operations.Forward > 0 && v.Operations.Backward > v.Operations.Forward, v.Name));
    }

    [Fact]
    public void AStepsFlopsPerTokenAreTheMatricesAttentionAndTheActivationsOwn()
    {
        var shape = new ModelShape(Width: 64, Layers: 2, Heads: 4, SequenceLength: 64);
        ActivationVariant gelu = ActivationVariant.Baselines.Single(v => v.Name == "GELU");
        // Hidden 256: per layer qkv and output 4 * 64^2, up and down 2 * 64 * 256; the head 64 * 256; scores 2 * 2 * 64 * 64.
        double matrices = 2 * (4.0 * 64 * 64 + 2.0 * 64 * 256) + 64.0 * 256, scores = 2.0 * 2 * 64 * 64;
        double expected = 3 * (2 * matrices + scores) + gelu.Operations.Training * 256.0 * 2;
        Assert.Equal(expected, TrainingCompute.PerToken(shape, gelu, 256), 6);
        // Gated: three matrices of width 171; a mixture counts the top-k experts' matrices a token uses and the router.
        ActivationVariant swiglu = ActivationVariant.Baselines.Single(v => v.Name == "SwiGLU");
        double gated = 3 * (2 * (2 * (4.0 * 64 * 64 + 3.0 * 64 * 171) + 64.0 * 256) + scores) + swiglu.Operations.Training * 171.0 * 2;
        Assert.Equal(gated, TrainingCompute.PerToken(shape, swiglu, 256), 6);
        double mixture = 3 * (2 * (2 * (4.0 * 64 * 64 + 2 * 3.0 * 64 * 171 + 64.0 * 8) + 64.0 * 256) + scores) + swiglu.Operations.Training * 171.0 * 2 * 2;
        Assert.Equal(mixture, TrainingCompute.PerToken(shape with { Experts = 8, TopK = 2 }, swiglu, 256), 6);
        Assert.InRange(TrainingCompute.ActivationShare(shape, gelu, 256), 0.005, 0.05);
    }

    [Fact]
    public void TheSpeedupInFlopsIsTheStepsSpeedupTimesTheRatioOfFlopsPerStep()
    {
        // The variant reaches every loss in half the steps, and its steps cost 10% more: 2x in steps, 2 / 1.1 in FLOPs.
        IReadOnlyList<CurvePoint> baseline = [.. Enumerable.Range(0, 11).Select(i => new CurvePoint(100 * i, 3 - 0.1 * i))];
        IReadOnlyList<CurvePoint> variant = [.. Enumerable.Range(0, 11).Select(i => new CurvePoint(50 * i, 3 - 0.1 * i))];
        VariantResult Run(string name, IReadOnlyList<CurvePoint> curve, double flops) =>
            new(name, 0, 1000, [1.0], 1.0, curve[^1].Loss, [], 1, System.TimeSpan.Zero, true) { ValidationCurve = curve, FlopsPerToken = flops };
        var b = new VariantSummary("B", "", [Run("B", baseline, 1000)]);
        var v = new VariantSummary("V", "", [Run("V", variant, 1100)]);

        Assert.Equal(2, v.SpeedupOver(b).Mean, 12);
        Assert.Equal(2 / 1.1, v.SpeedupOver(b, flops: true).Mean, 12);
    }
}
