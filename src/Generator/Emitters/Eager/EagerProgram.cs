using System.Collections.Generic;
using System.Linq;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Helpers;

namespace PolyComGen.Generator.Emitters.Eager;

/// <summary>
/// A language of eager tensor ops, as <see cref="EagerProgram"/> writes a plan in it: TorchSharp (C#) or PyTorch
/// (Python). Constants are 0-dimensional tensors in the input's dtype and device, named k0, k1, ...
/// </summary>
internal abstract class EagerTarget : Dialect
{
    private readonly List<double> constants = [];

    /// <summary>The constants used so far; constant i is spelled k{i}.</summary>
    public IReadOnlyList<double> Constants => constants;

    public sealed override string Constant(double value)
    {
        int index = constants.IndexOf(value);
        if (index < 0)
        {
            constants.Add(value);
            index = constants.Count - 1;
        }
        return "k" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A statement giving a new value to a declared variable.</summary>
    public abstract string Assign(string name, string value);

    /// <summary>A scope for the temporaries of a block, where the language has them; null otherwise.</summary>
    public abstract System.IDisposable? Scope(IndentedTextWriter writer);

    /// <summary>A reduction of a plan: over the last dimension, kept (rowwise), or over everything.</summary>
    public abstract string Reduce(ReductionKind kind, bool rowwise, string value);

    /// <summary>0-dimensional tensors stacked into a vector.</summary>
    public abstract string Stack(IEnumerable<string> parts);

    /// <summary>The declaration of weight w{index + 1}, the weight vector's element <paramref name="index"/>.</summary>
    public abstract string SelectWeight(string name, int index);

    /// <summary>The declaration of h, the row length, as a constant tensor.</summary>
    public abstract string RowLength(string name);

    /// <summary>The declaration of constant k{index}.</summary>
    public abstract string ConstantDeclaration(string name, double value);

    /// <summary>The spelling of the plan's variable <paramref name="name"/> (x, dy, gate, bias, the row statistics...).</summary>
    public abstract string Variable(string name);
}

/// <summary>
/// Writes a kernel plan as eager tensor ops in a target language, pass by pass, for autograd to differentiate: the
/// per-row invariants, the element expressions with common subexpressions shared, the reductions (over the last
/// dimension for rowwise plans), the scales of passes that decide them (docs/math.md section 4), the stores and the
/// gradient partials. The same walk for TorchSharp and PyTorch, so the two cannot drift apart.
/// </summary>
internal static class EagerProgram
{
    /// <summary>The statements of <paramref name="plan"/>, then <paramref name="ret"/> of the spelled stores.</summary>
    public static void Write(IndentedTextWriter writer, EagerTarget target, KernelPlan plan, IReadOnlyList<string> stores, System.Func<IReadOnlyList<string>, string> ret)
    {
        var body = new IndentedTextWriter();
        var stored = new Dictionary<string, string>();
        void Statements(ExpressionCompiler.Compiled compiled)
        {
            foreach (string statement in compiled.Statements)
            {
                body.WriteLine(statement);
            }
        }
        void Definitions(IReadOnlyList<Definition> definitions)
        {
            foreach (Definition definition in definitions)
            {
                ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(target, target.Variable, definition.Name + "_t", [definition.Value]);
                Statements(value);
                body.WriteLine(target.Declare(definition.Name, value.Results[0]));
            }
        }
        // The scales of a pass that decides them: its reductions with every scale 1, under names of their own (the
        // pass proper declares the same names after it), then the scales. Eager ops need no branch: the pass then
        // runs with those scales.
        void Rescales(Pass pass, int p)
        {
            foreach (Definition rescale in pass.Rescales)
            {
                body.WriteLine(target.Declare(rescale.Name, target.Constant(1)));
            }
            var needed = pass.Reductions.Where(r => pass.Rescales.Any(d => d.Value.DependsOn(r.Name))).ToList();
            var renamed = new HashSet<string>(needed.Select(r => r.Name).Concat(pass.Before.Select(d => d.Name)));
            string First(string name) => renamed.Contains(name) ? "unscaled_" + name : target.Variable(name);
            using (target.Scope(body))
            {
                foreach (Definition invariant in pass.Before)
                {
                    ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(target, First, "unscaled_" + invariant.Name + "_t", [invariant.Value]);
                    Statements(value);
                    body.WriteLine(target.Declare("unscaled_" + invariant.Name, value.Results[0]));
                }
                ExpressionCompiler.Compiled terms = ExpressionCompiler.Compile(target, First, $"u{p}_", needed.Select(r => r.Term).ToList());
                Statements(terms);
                for (int r = 0; r < needed.Count; r++)
                {
                    body.WriteLine(target.Declare("unscaled_" + needed[r].Name, target.Reduce(needed[r].Kind, plan.Rowwise, terms.Results[r])));
                }
                foreach (Definition rescale in pass.Rescales)
                {
                    ExpressionCompiler.Compiled value = ExpressionCompiler.Compile(target, First, rescale.Name + "_t", [rescale.Value]);
                    Statements(value);
                    body.WriteLine(target.Assign(rescale.Name, value.Results[0]));
                }
            }
        }
        for (int p = 0; p < plan.Passes.Count; p++)
        {
            Pass pass = plan.Passes[p];
            if (pass.Rescales.Count > 0)
            {
                Rescales(pass, p);
            }
            Definitions(pass.Before);
            ExpressionCompiler.Compiled compiled = ExpressionCompiler.Compile(target, target.Variable, $"t{p}_", pass.ElementExpressions);
            Statements(compiled);
            for (int r = 0; r < pass.Reductions.Count; r++)
            {
                Reduction reduction = pass.Reductions[r];
                body.WriteLine(target.Declare(reduction.Name, target.Reduce(reduction.Kind, plan.Rowwise, compiled.Results[r])));
            }
            for (int s = 0; s < pass.Stores.Count; s++)
            {
                stored[pass.Stores[s].Name] = compiled.Results[pass.Reductions.Count + s];
            }
            Definitions(pass.After);
        }
        if (plan.Partials.Count > 0)
        {
            ExpressionCompiler.Compiled partials = ExpressionCompiler.Compile(target, target.Variable, "p_t", plan.Partials);
            Statements(partials);
            int order = plan.Partials.Count - 1;
            body.WriteLine(target.Declare("dweight", target.Stack(partials.Results.Take(order).Select(r => target.Reduce(ReductionKind.Sum, false, r)))));
            body.WriteLine(target.Declare("dbias", target.Stack([target.Reduce(ReductionKind.Sum, false, partials.Results[order])])));
        }
        body.WriteLine(ret(stores.Select(s => stored[s]).ToList()));

        // What the body uses, declared first: the weights one by one, h, the constants.
        var used = new HashSet<string>(plan.Passes.SelectMany(p => p.ElementExpressions.Concat(p.Before.Concat(p.After).Select(a => a.Value))).Concat(plan.Partials).SelectMany(e => e.Variables()));
        foreach (string weight in used.Where(n => PlanNames.IsParameter(n) && n != PlanNames.Bias).OrderBy(n => n.Length).ThenBy(n => n, System.StringComparer.Ordinal))
        {
            writer.WriteLine(target.SelectWeight(weight, int.Parse(weight.Substring(1), System.Globalization.CultureInfo.InvariantCulture) - 1));
        }
        if (used.Contains(PlanNames.RowLength))
        {
            writer.WriteLine(target.RowLength(PlanNames.RowLength));
        }
        for (int i = 0; i < target.Constants.Count; i++)
        {
            writer.WriteLine(target.ConstantDeclaration("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), target.Constants[i]));
        }
        writer.WriteVerbatimLines(body.ToString());
    }
}
