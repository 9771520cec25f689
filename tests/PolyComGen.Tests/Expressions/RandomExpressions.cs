using System;
using System.Linq;
using PolyComGen.Generator.Expressions;

namespace PolyComGen.Tests.Expressions;

/// <summary>Random expression trees over a few variables, from a seeded generator, for property tests.</summary>
internal sealed class RandomExpressions(int seed, string[] variables, bool smooth)
{
    private readonly Random random = new(seed);

    // Smooth trees avoid kinks (abs, relu, max, min) and poles (log, div, sqrt) so that central differences apply.
    private static readonly Operation[] SmoothOperations =
        [Operations.Add, Operations.Subtract, Operations.Multiply, Operations.Negate, Operations.Tanh, Operations.Sigmoid, Operations.Softplus, Operations.Erf, Operations.Exp];

    private static readonly Operation[] AllOperations = Operations.All.Where(o => !o.InternalOnly).Append(Operations.MultiplyAdd).ToArray();

    private static readonly double[] Constants = [0, 1, -1, 2, 0.5, -3, 0.044715];

    public Expr Next(int depth)
    {
        if (depth == 0 || random.NextDouble() < 0.25)
        {
            return random.NextDouble() < 0.7 ? Expr.Var(variables[random.Next(variables.Length)]) : new Constant(Constants[random.Next(Constants.Length)]);
        }
        if (random.NextDouble() < 0.15)
        {
            int[] exponents = smooth ? [2, 3] : [-2, -1, 2, 3, 4];
            return Expr.Pow(Next(depth - 1), exponents[random.Next(exponents.Length)]);
        }
        Operation[] operations = smooth ? SmoothOperations : AllOperations;
        Operation op = operations[random.Next(operations.Length)];
        // exp only of shallow arguments, so that values stay finite.
        Expr[] arguments = Enumerable.Range(0, op.Arity).Select(_ => Next(op == Operations.Exp ? Math.Min(depth - 1, 1) : depth - 1)).ToArray();
        return Expr.Call(op, arguments);
    }

    public double NextValue(double scale) => (random.NextDouble() * 2 - 1) * scale;
}
