using System;
using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Models;

namespace PolyComGen.Generator.Composition;

/// <summary>
/// Builds a spec's kernels as plans (docs/math.md). Elementwise inner functions: the activation y(x, w, b) is an
/// expression, and dx, dweight and dbias come from symbolic differentiation by x, each weight and the bias.
/// norm(E): the per-row closed forms of docs/math.md section 3, with E and its derivative from the expression.
/// Type 1 is sum_k w_k rho(x)^k + b (Horner's rule), Type 2 sum_k w_k rho(x^k) + b; gated specs multiply by the gate.
/// </summary>
internal static class Composer
{
    private static readonly Expr X = PlanVariables.X, G = PlanVariables.Upstream, GateValue = PlanVariables.Gate, H = PlanVariables.RowLength;

    /// <summary>The forward plan: y, times the gate for gated specs.</summary>
    /// <param name="rowScaling">Scale each row before norm's statistics (the kernels do; the paper's formula does not).</param>
    public static KernelPlan Forward(SpecModel spec, bool rowScaling) =>
        Hoisting.HoistInvariants(spec.Inner.Normalized ? NormForward(spec, rowScaling) : ElementwiseForward(spec));

    /// <summary>The backward plan: dx (and dgate) and the gradient partials of dweight and dbias.</summary>
    public static KernelPlan Backward(SpecModel spec, bool rowScaling) =>
        Hoisting.HoistInvariants(spec.Inner.Normalized ? NormBackward(spec, rowScaling) : ElementwiseBackward(spec));

    private static Expr W(int k) => PlanVariables.Weight(k);

    private static Expr B(SpecModel spec) => PlanVariables.Bias(spec.Order);

    private static Expr Row(string name) => PlanVariables.Row(name);

    private static Expr Simplified(Expr e) => Simplifier.Simplify(e);

    private static readonly Expr V = Expr.Var("v");

    // The outer function of v = rho(x) in Type 1: the polynomial b + sum_k w_k v^k, or v itself for an [Activation].
    private static Expr PowerForm(SpecModel spec)
    {
        if (!spec.Polynomial)
        {
            return V;
        }
        Expr sum = B(spec);
        for (int k = 1; k <= spec.Order; k++)
        {
            sum = sum + W(k) * Expr.Pow(V, k);
        }
        return Simplified(sum);
    }

    // P(v) by Horner's rule, with v replaced by value.
    private static Expr Horner(SpecModel spec, Expr value) => Polynomials.Horner(Polynomials.Coefficients(PowerForm(spec), "v")!, V).Substitute("v", value);

    // P'(v) = sum_k k w_k v^(k-1), by differentiation, then Horner's rule, with v replaced by value.
    private static Expr HornerSlope(SpecModel spec, Expr value) =>
        Polynomials.Horner(Polynomials.Coefficients(Differentiation.Derivative(PowerForm(spec), "v"), "v")!, V).Substitute("v", value);

    // The reduction of a parameter's gradient: d + its variable's name (dw1, db, dp_beta).
    private static string GradientName(Variable parameter) => "d" + parameter.Name;

    private static Expr InX(Expr e) => Polynomials.HornerIfPolynomial(e, PlanVariables.X, [PlanVariables.Upstream.Name, PlanVariables.Gate.Name]);

    private static Expr Gated(SpecModel spec, Expr value) => spec.Gated ? value * GateValue : value;

    // The gradient reaching P(x): g, or g * gate.
    private static Expr UpstreamOfPolynomial(SpecModel spec) => spec.Gated ? G * GateValue : G;

    private static Expr ElementwisePolynomial(SpecModel spec)
    {
        if (spec.Type == 1)
        {
            return Horner(spec, spec.Inner.Apply(X));
        }
        Expr sum = B(spec);
        for (int k = 1; k <= spec.Order; k++)
        {
            sum = sum + W(k) * spec.Inner.Apply(Expr.Pow(X, k));
        }
        return InX(Simplified(sum));
    }

    // dP(x)/dx: for Type 1 by the chain rule through v = E(x), so that P'(v) keeps Horner's form.
    private static Expr ElementwiseSlope(SpecModel spec, Expr polynomial)
    {
        if (spec.Type == 1)
        {
            Expr inner = spec.Inner.Apply(X);
            return Simplified(HornerSlope(spec, inner) * Differentiation.Derivative(inner, PlanVariables.X.Name));
        }
        return InX(Differentiation.Derivative(polynomial, PlanVariables.X.Name));
    }

    private static KernelPlan ElementwiseForward(SpecModel spec) =>
        new(false, [new Pass([], [new Store(ElementOutput.Y, Simplified(Gated(spec, ElementwisePolynomial(spec))))], [])], []);

    private static KernelPlan ElementwiseBackward(SpecModel spec)
    {
        Expr polynomial = ElementwisePolynomial(spec);
        Expr upstream = UpstreamOfPolynomial(spec);
        var stores = new List<Store> { new(ElementOutput.Dx, Simplified(upstream * ElementwiseSlope(spec, polynomial))) };
        if (spec.Gated)
        {
            stores.Add(new Store(ElementOutput.Dgate, Simplified(G * polynomial)));
        }
        // Every parameter's gradient by differentiation: the weights', the bias' and the named parameters' alike.
        var reductions = SlotTable.Of(spec).Variables
            .Select(p => new Reduction(GradientName(p), ReductionKind.Sum, Simplified(upstream * Differentiation.Derivative(polynomial, p.Name))))
            .ToList();
        return new KernelPlan(false, [new Pass(reductions, stores, [])], reductions.Select(r => Row(r.Name)).ToList());
    }

    /// <summary>
    /// How norm's statistics avoid overflow (docs/math.md section 4). Norm is scale-invariant: with e_k = c_k ê_k,
    /// norm(e_k) = ê_k (mean(ê_k^2) + eps / c_k^2)^(-1/2) exactly, for any c_k &gt; 0. The scale is a power of two,
    /// taken speculatively: the statistics pass runs with scale 1 and finds the row's largest magnitude beside the
    /// statistics; only when a statistic overflowed does it run again, scaled (<see cref="Pass.Rescales"/>).
    /// </summary>
    private enum Scaling
    {
        /// <summary>No scaling: the paper's formula, or an E bounded so that no statistic can overflow.</summary>
        None,

        /// <summary>E is homogeneous: x itself is scaled by a power of two per row, before any power is taken.</summary>
        Input,

        /// <summary>Otherwise: each E(x^k) is scaled by a power of two per row.</summary>
        Inner,
    }

    /// <summary>
    /// The scaled inner values ê_k of a row, written in <see cref="Variable"/>, and the eps each statistic uses.
    /// With input scaling the variable is x̂ = sigma x, and the polynomials in it stay in x̂ (their coefficients in x
    /// would carry powers of sigma, which underflow for large rows); <see cref="InX"/> substitutes x̂ at the end.
    /// </summary>
    /// <param name="MaxReductions">The row maxima the scales come from, computed in the statistics pass.</param>
    /// <param name="ScaleOf">For statistic k (from 1), the scale it decides and the maximum that scale comes from; empty when not scaled.</param>
    private sealed record ScaledInner(IReadOnlyList<Reduction> MaxReductions, IReadOnlyList<(string Scale, string Max, int Statistic)> ScaleOf,
        Expr[] Values, Expr[] Eps, Variable Variable, Expr? InputScale)
    {
        /// <summary>dê/dx̂ for one of the values (dê/dx is that times <see cref="InputScale"/>: see <see cref="ChainToX"/>).</summary>
        public Expr Slope(Expr value) => Differentiation.Derivative(value, Variable.Name);

        /// <summary>A derivative by x̂ made a derivative by x: times sigma, applied last so no power of sigma forms.</summary>
        public Expr ChainToX(Expr derivative) => InputScale is null ? derivative : Simplified(derivative * InputScale);

        /// <summary>An expression in the values, by Horner's rule in the variable where it is a polynomial in it, in x.</summary>
        public Expr InX(Expr e) => Unscaled(Polynomials.HornerIfPolynomial(Simplified(e), Variable, [PlanVariables.Upstream.Name, PlanVariables.Gate.Name]));

        /// <summary>An expression in the values, in x.</summary>
        public Expr Unscaled(Expr e) => InputScale is null ? Simplified(e) : Simplified(e.Substitute(Variable.Name, X * InputScale));

        /// <summary>
        /// The statistics pass: the maxima, then <paramref name="reductions"/>; rerun with the scales when the named
        /// statistic of a scale (<paramref name="statistic"/>(k), the sum of ê_k^2) overflowed.
        /// </summary>
        public Pass StatisticsPass(IReadOnlyList<Reduction> reductions, IReadOnlyList<Definition> after, Func<int, string> statistic) =>
            new([.. MaxReductions, .. reductions], [], after)
            {
                Rescales = ScaleOf.Select(s => new Definition(s.Scale, Expr.Call(Operations.Rescale, Row(s.Max), Row(statistic(s.Statistic))))).ToList(),
            };
    }

    private static ScaledInner Scale(SpecModel spec, int statistics, bool rowScaling)
    {
        InnerFunction inner = spec.Inner;
        Scaling scaling = !rowScaling ? Scaling.None
            : inner.HomogeneousDegree is not null ? Scaling.Input
            : inner.Bound is double bound && bound <= 1e12 ? Scaling.None
            : Scaling.Inner;
        // Type 1 normalises E(x) once; Type 2 normalises E(x^k) for each k.
        Expr Argument(int k, Expr x) => spec.Type == 1 ? x : Expr.Pow(x, k);
        var values = new Expr[statistics];
        var eps = new Expr[statistics];
        var maxima = new List<Reduction>();
        var scales = new List<(string, string, int)>();
        Expr? inputScale = null;
        switch (scaling)
        {
            case Scaling.None:
                for (int k = 1; k <= statistics; k++)
                {
                    values[k - 1] = inner.Apply(Argument(k, X));
                    eps[k - 1] = spec.Eps;
                }
                break;
            case Scaling.Input:
            {
                // For |x| > 1 the highest power overflows first; for |x| <= 1 none does.
                int degree = inner.HomogeneousDegree!.Value;
                Expr sigma = Row("sigma");
                inputScale = sigma;
                maxima.Add(new Reduction("m", ReductionKind.Max, Expr.Call(Operations.Abs, X)));
                scales.Add(("sigma", "m", statistics));
                for (int k = 1; k <= statistics; k++)
                {
                    values[k - 1] = inner.Apply(Argument(k, Expr.Var(ScaledX)));
                    eps[k - 1] = Simplified(spec.Eps * Expr.Pow(sigma, 2 * degree * (spec.Type == 1 ? 1 : k)));
                }
                break;
            }
            default:
            {
                for (int k = 1; k <= statistics; k++)
                {
                    string m = "m" + k, sigma = "sigma" + k;
                    Expr e = inner.Apply(Argument(k, X));
                    maxima.Add(new Reduction(m, ReductionKind.Max, Simplified(Expr.Call(Operations.Abs, e))));
                    scales.Add((sigma, m, k));
                    values[k - 1] = Simplified(Row(sigma) * e);
                    eps[k - 1] = Simplified(spec.Eps * Expr.Pow(Row(sigma), 2));
                }
                break;
            }
        }
        return new ScaledInner(maxima, scales, values.Select(Simplified).ToArray(), eps, inputScale is null ? PlanVariables.X : new Variable(ScaledX), inputScale);
    }

    // x̂ = sigma x, the input scaled per row (input scaling only; never left in a plan).
    private const string ScaledX = "xs";

    private static Expr InverseRms(string sum, Expr eps) => Simplified(Expr.Pow(Expr.Call(Operations.Sqrt, Row(sum) / H + eps), -1));

    private static KernelPlan NormForward(SpecModel spec, bool rowScaling)
    {
        if (spec.Type == 1)
        {
            ScaledInner e = Scale(spec, 1, rowScaling);
            Pass statistics = e.StatisticsPass([new Reduction("q", ReductionKind.Sum, e.Unscaled(Expr.Pow(e.Values[0], 2)))], [new Definition("s", InverseRms("q", e.Eps[0]))], _ => "q");
            Expr y = e.Unscaled(Horner(spec, Simplified(e.Values[0] * Row("s"))));
            var output = new Pass([], [new Store(ElementOutput.Y, Simplified(Gated(spec, y)))], []);
            return new KernelPlan(true, [statistics, output], []);
        }
        else
        {
            ScaledInner e = Scale(spec, spec.Order, rowScaling);
            var reductions = Enumerable.Range(1, spec.Order).Select(k => new Reduction("q" + k, ReductionKind.Sum, e.Unscaled(Expr.Pow(e.Values[k - 1], 2)))).ToList();
            // c_k = w_k s_k, a row scalar; with groups the weights vary along the row, so it stays in the element expression.
            bool grouped = spec.Groups > 1;
            var after = Enumerable.Range(1, spec.Order).SelectMany(k => grouped
                ? new[] { new Definition("s" + k, InverseRms("q" + k, e.Eps[k - 1])) }
                : new[] { new Definition("s" + k, InverseRms("q" + k, e.Eps[k - 1])), new Definition("c" + k, Simplified(W(k) * Row("s" + k))) }).ToList();
            Expr y = B(spec);
            for (int k = 1; k <= spec.Order; k++)
            {
                y = y + (grouped ? W(k) * Row("s" + k) : Row("c" + k)) * e.Values[k - 1];
            }
            var output = new Pass([], [new Store(ElementOutput.Y, Simplified(Gated(spec, e.InX(y))))], []);
            return new KernelPlan(true, [e.StatisticsPass(reductions, after, k => "q" + k), output], []);
        }
    }

    private static KernelPlan NormBackward(SpecModel spec, bool rowScaling)
    {
        Expr upstream = UpstreamOfPolynomial(spec);
        if (spec.Type == 1)
        {
            // v = ê s; h = ĝ P'(v); dx = s (h - ê s^2 ht / H) dê/dx with ht = sum(h ê); dw_k = sum ĝ v^k; db = sum ĝ;
            // a named parameter p: dp = sum s (h - ê s^2 ht / H) dê/dp, in the pass that writes dx.
            ScaledInner e = Scale(spec, 1, rowScaling);
            Expr value = e.Values[0], s = Row("s");
            Pass statistics = e.StatisticsPass([new Reduction("q", ReductionKind.Sum, e.Unscaled(Expr.Pow(value, 2)))], [new Definition("s", InverseRms("q", e.Eps[0]))], _ => "q");
            Expr v = Simplified(value * s);
            Expr slope = HornerSlope(spec, v);
            Expr h = Simplified(upstream * slope);
            var reductions = new List<Reduction> { new("ht", ReductionKind.Sum, e.Unscaled(h * value)) };
            if (spec.Groups > 1)
            {
                // Groups: every parameter's gradient is summed over each group's columns, in the pass that writes dx.
                var gradientsOfGroup = new List<Reduction>();
                if (spec.Polynomial)
                {
                    gradientsOfGroup.AddRange(Enumerable.Range(1, spec.Order).Select(k =>
                        new Reduction(GradientName(PlanVariables.Weight(k)), ReductionKind.Sum, e.Unscaled(upstream * Expr.Pow(v, k))) { Slot = k - 1 }));
                    gradientsOfGroup.Add(new Reduction(GradientName(PlanVariables.Bias(spec.Order)), ReductionKind.Sum, Simplified(upstream)) { Slot = spec.Order });
                }
                var groupPass = new Pass(reductions, [], [new Definition("kappa", Simplified(Expr.Pow(s, 2) * Row("ht") / H))]);
                Expr groupAdjoint = Simplified(s * (h - value * Row("kappa")));
                var groupStores = new List<Store> { new(ElementOutput.Dx, e.ChainToX(e.Unscaled(groupAdjoint * e.Slope(value)))) };
                if (spec.Gated)
                {
                    groupStores.Add(new Store(ElementOutput.Dgate, e.Unscaled(G * Horner(spec, v))));
                }
                gradientsOfGroup.AddRange(LearnedGradients(spec, p => e.Unscaled(groupAdjoint * Differentiation.Derivative(value, p.Name))));
                return new KernelPlan(true, [statistics, groupPass, new Pass(gradientsOfGroup, groupStores, [])], []);
            }
            if (spec.Polynomial)
            {
                reductions.AddRange(Enumerable.Range(1, spec.Order).Select(k => new Reduction(GradientName(PlanVariables.Weight(k)), ReductionKind.Sum, e.Unscaled(upstream * Expr.Pow(v, k)))));
                reductions.Add(new Reduction(GradientName(PlanVariables.Bias(spec.Order)), ReductionKind.Sum, Simplified(upstream)));
            }
            var gradients = new Pass(reductions, [], [new Definition("kappa", Simplified(Expr.Pow(s, 2) * Row("ht") / H))]);
            Expr adjoint = Simplified(s * (h - value * Row("kappa")));
            var stores = new List<Store> { new(ElementOutput.Dx, e.ChainToX(e.Unscaled(adjoint * e.Slope(value)))) };
            if (spec.Gated)
            {
                stores.Add(new Store(ElementOutput.Dgate, e.Unscaled(G * Horner(spec, v))));
            }
            var learned = LearnedGradients(spec, p => e.Unscaled(adjoint * Differentiation.Derivative(value, p.Name)));
            return new KernelPlan(true, [statistics, gradients, new Pass(learned, stores, [])], SlotTable.Of(spec).Variables.Select(p => Row(GradientName(p))).ToList());
        }
        else
        {
            // dx = sum_k (w_k s_k ĝ - w_k s_k^3 S_k / H ê_k) dê_k/dx with S_k = sum ĝ ê_k; dw_k = s_k S_k.
            ScaledInner e = Scale(spec, spec.Order, rowScaling);
            if (spec.Groups > 1)
            {
                return GroupedNormType2Backward(spec, e, upstream);
            }
            var reductions = new List<Reduction>();
            var after = new List<Definition>();
            for (int k = 1; k <= spec.Order; k++)
            {
                reductions.Add(new Reduction("q" + k, ReductionKind.Sum, e.Unscaled(Expr.Pow(e.Values[k - 1], 2))));
                reductions.Add(new Reduction("S" + k, ReductionKind.Sum, e.Unscaled(upstream * e.Values[k - 1])));
                after.Add(new Definition("s" + k, InverseRms("q" + k, e.Eps[k - 1])));
                after.Add(new Definition("a" + k, Simplified(W(k) * Row("s" + k))));
                after.Add(new Definition("c" + k, Simplified(W(k) * Expr.Pow(Row("s" + k), 3) * Row("S" + k) / H)));
            }
            reductions.Add(new Reduction("G", ReductionKind.Sum, Simplified(upstream)));
            // dx = (ĝ A - B) dx̂/dx, with A = sum_k a_k dê_k/dx̂ and B = sum_k c_k ê_k dê_k/dx̂, each by Horner's rule in x̂ when a polynomial.
            Expr a = Expr.Zero, b = Expr.Zero;
            Expr polynomial = B(spec);
            for (int k = 1; k <= spec.Order; k++)
            {
                Expr slope = e.Slope(e.Values[k - 1]);
                a = a + Row("a" + k) * slope;
                b = b + Row("c" + k) * e.Values[k - 1] * slope;
                polynomial = polynomial + Row("a" + k) * e.Values[k - 1];
            }
            var stores = new List<Store> { new(ElementOutput.Dx, e.ChainToX(Simplified(upstream * e.InX(a) - e.InX(b)))) };
            if (spec.Gated)
            {
                stores.Add(new Store(ElementOutput.Dgate, Simplified(G * e.InX(polynomial))));
            }
            // A named parameter p inside E: dp = sum_k sum (a_k ĝ - c_k ê_k) dê_k/dp, in the pass that writes dx.
            var learned = LearnedGradients(spec, p =>
            {
                Expr term = Expr.Zero;
                for (int k = 1; k <= spec.Order; k++)
                {
                    term = term + (Row("a" + k) * upstream - Row("c" + k) * e.Values[k - 1]) * Differentiation.Derivative(e.Values[k - 1], p.Name);
                }
                return e.Unscaled(term);
            });
            var partials = Enumerable.Range(1, spec.Order).Select(k => Simplified(Row("s" + k) * Row("S" + k))).Append(Row("G"))
                .Concat(learned.Select(r => Row(r.Name))).ToList();
            return new KernelPlan(true, [e.StatisticsPass(reductions, after, k => "q" + k), new Pass(learned, stores, [])], partials);
        }
    }

    /// <summary>
    /// Type 2 under norm with parameters per group of columns: the weights vary along the row, so the row statistic is
    /// R_k = sum ĝ w_k ê_k (not w_k sum ĝ ê_k), c_k = s_k^3 R_k / H, and dx = sum_k (w_k s_k ĝ - c_k ê_k) dê_k/dx; every
    /// parameter's gradient is a sum over each group's columns in the pass that writes dx: dw_k = sum ĝ s_k ê_k,
    /// db = sum ĝ, and for a named parameter p, sum_k sum (w_k s_k ĝ - c_k ê_k) dê_k/dp.
    /// </summary>
    private static KernelPlan GroupedNormType2Backward(SpecModel spec, ScaledInner e, Expr upstream)
    {
        var reductions = new List<Reduction>();
        var after = new List<Definition>();
        for (int k = 1; k <= spec.Order; k++)
        {
            reductions.Add(new Reduction("q" + k, ReductionKind.Sum, e.Unscaled(Expr.Pow(e.Values[k - 1], 2))));
            reductions.Add(new Reduction("R" + k, ReductionKind.Sum, e.Unscaled(upstream * W(k) * e.Values[k - 1])));
            after.Add(new Definition("s" + k, InverseRms("q" + k, e.Eps[k - 1])));
            after.Add(new Definition("c" + k, Simplified(Expr.Pow(Row("s" + k), 3) * Row("R" + k) / H)));
        }
        Expr a = Expr.Zero, b = Expr.Zero, polynomial = B(spec);
        var gradients = new List<Reduction>();
        for (int k = 1; k <= spec.Order; k++)
        {
            Expr slope = e.Slope(e.Values[k - 1]);
            a = a + W(k) * Row("s" + k) * slope;
            b = b + Row("c" + k) * e.Values[k - 1] * slope;
            polynomial = polynomial + W(k) * Row("s" + k) * e.Values[k - 1];
            gradients.Add(new Reduction(GradientName(PlanVariables.Weight(k)), ReductionKind.Sum, e.Unscaled(upstream * Row("s" + k) * e.Values[k - 1])) { Slot = k - 1 });
        }
        gradients.Add(new Reduction(GradientName(PlanVariables.Bias(spec.Order)), ReductionKind.Sum, Simplified(upstream)) { Slot = spec.Order });
        gradients.AddRange(LearnedGradients(spec, p =>
        {
            Expr term = Expr.Zero;
            for (int k = 1; k <= spec.Order; k++)
            {
                term = term + (W(k) * Row("s" + k) * upstream - Row("c" + k) * e.Values[k - 1]) * Differentiation.Derivative(e.Values[k - 1], p.Name);
            }
            return e.Unscaled(term);
        }));
        var stores = new List<Store> { new(ElementOutput.Dx, e.ChainToX(Simplified(upstream * e.InX(a) - e.InX(b)))) };
        if (spec.Gated)
        {
            stores.Add(new Store(ElementOutput.Dgate, Simplified(G * e.InX(polynomial))));
        }
        return new KernelPlan(true, [e.StatisticsPass(reductions, after, k => "q" + k), new Pass(gradients, stores, [])], []);
    }

    // The gradient reductions of the named parameters, each term given by the parameter's variable.
    // Under groups (norm plans), each is a sum over a group's columns, the partial of its slot.
    private static List<Reduction> LearnedGradients(SpecModel spec, Func<Variable, Expr> term) =>
        spec.Learned.Select(p => PlanVariables.Learned(p.Name, p.Slot))
            .Select(p => new Reduction(GradientName(p), ReductionKind.Sum, Simplified(term(p))) { Slot = spec.Groups > 1 && spec.Inner.Normalized ? p.Index : null })
            .ToList();
}
