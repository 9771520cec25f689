using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using PolyComGen.Generator.Contract;

namespace PolyComGen.Generator.Expressions.Language;

/// <summary>
/// Reads the attribute's Inner: a built-in name (any case), or an expression in x of the language in README's
/// "Writing your own activation": numbers, x, pi, e, + - * / and unary minus, ^ with a whole-number exponent,
/// parentheses, the functions of the operation table and the built-ins, and norm(E) around the whole expression.
/// Never throws and never recurses without bound: input beyond <see cref="MaxLength"/> characters,
/// <see cref="MaxDepth"/> levels of nesting or <see cref="MaxNodes"/> nodes is reported, not parsed.
/// </summary>
internal static class InnerParser
{
    /// <summary>The longest expression accepted, in characters.</summary>
    public const int MaxLength = 400;

    /// <summary>The deepest nesting of parentheses, calls, unary minus and exponents accepted.</summary>
    public const int MaxDepth = 12;

    /// <summary>The most nodes an expression may have once parsed.</summary>
    public const int MaxNodes = 120;

    /// <summary>The largest magnitude of an exponent.</summary>
    public const int MaxExponent = 32;

    private const string Variable = "x";

    /// <summary>A function of the language: its arity and what a call builds.</summary>
    private sealed record Function(string Name, int Arity, Func<Expr[], Expr> Build);

    // The functions by their lookup key (lower case, underscores removed): the operations of the table that are not
    // operators or internal, and the elementwise built-ins (silu, gelu, gelu_tanh, square, identity ...).
    private static readonly Dictionary<string, Function> Functions = CreateFunctions();

    private static readonly Dictionary<string, double> Constants = new() { ["pi"] = Math.PI, ["e"] = Math.E };

    private static Dictionary<string, Function> CreateFunctions()
    {
        var functions = new Dictionary<string, Function>();
        foreach (Operation op in Operations.All.Where(o => !o.InternalOnly && o.Infix is null))
        {
            functions[Key(op.Name)] = new Function(op.Name, op.Arity, a => Expr.Call(op, a));
        }
        foreach (var (name, builtIn) in BuiltInFunctions.ElementwiseFunctions)
        {
            if (!functions.ContainsKey(Key(name)))
            {
                functions[Key(name)] = new Function(name, 1, a => builtIn.Apply(a[0]));
            }
        }
        return functions;
    }

    private static string Key(string name) => name.Replace("_", "").ToLowerInvariant();

    /// <summary>Every name the language knows, for suggestions and messages.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
        new[] { Variable }.Concat(Constants.Keys).Concat(Functions.Values.Select(f => f.Name)).Append("norm").Distinct().ToList();

    /// <summary>Whether <paramref name="name"/> is one of the language's own names: x, pi, e, a function, norm (ignoring case and underscores as calls do).</summary>
    public static bool IsLanguageName(string name) =>
        name.Equals(Variable, StringComparison.OrdinalIgnoreCase) || Constants.ContainsKey(name.ToLowerInvariant()) || Functions.ContainsKey(Key(name)) || Key(name) == "norm";

    /// <summary>
    /// Reads <paramref name="text"/>: a built-in's name, or an expression, in which the names of
    /// <paramref name="parameters"/> (compared ignoring case) are learnable parameters.
    /// </summary>
    public static InnerParseResult Parse(string text, IReadOnlyDictionary<string, Variable>? parameters = null)
    {
        string? canonical = BuiltInFunctions.Canonical(text);
        if (canonical is not null)
        {
            return new InnerParseResult(BuiltInFunctions.Get(canonical), null);
        }
        if (text.Length > MaxLength)
        {
            return Fail(ExpressionErrorKind.TooLarge, 0, text.Length, $"the expression is {text.Length} characters long; the limit is {MaxLength}");
        }
        try
        {
            var parser = new Parser(text, parameters ?? new Dictionary<string, Variable>());
            return parser.ParseInner();
        }
        catch (ParseException e)
        {
            return new InnerParseResult(null, e.Error);
        }
    }

    /// <summary>What to say of a constant beyond float32's range.</summary>
    public static string ConstantRangeMessage(string constant) =>
        $"the constant {constant} is beyond the range of float32 (magnitudes up to 3.4e38), in which the kernels compute";

    private static InnerParseResult Fail(ExpressionErrorKind kind, int start, int length, string message) =>
        new(null, new ExpressionError(kind, start, length, message));

    /// <summary>The text shown for an expression: trimmed, with each run of whitespace one space.</summary>
    public static string Display(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    private sealed class ParseException(ExpressionError error) : Exception(error.Message)
    {
        public ExpressionError Error { get; } = error;
    }

    private enum TokenKind
    {
        Number,
        Name,
        Symbol,
        End,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int Length, string Text, double Value = 0)
    {
        public int End => Start + Length;

        public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

        public string Describe() => Kind == TokenKind.End ? "the end of the expression" : $"'{Text}'";
    }

    /// <summary>An expression being built, with where it is in the text.</summary>
    /// <param name="NormCall">For a norm(...) call, or parentheses around one, the call's index in order of parsing; else -1.</param>
    private readonly record struct Node(Expr Value, int Start, int End, int NormCall = -1);

    private sealed class Parser
    {
        private readonly string text;
        private readonly List<Token> tokens;
        private int position;
        private int depth;
        private readonly List<Node> normCalls = [];
        private readonly IReadOnlyDictionary<string, Variable> parameters;

        public Parser(string text, IReadOnlyDictionary<string, Variable> parameters)
        {
            this.text = text;
            this.parameters = parameters;
            tokens = Tokenize(text);
        }

        // The parameter a name refers to (ignoring case), if any.
        private Variable? ParameterNamed(string name) =>
            parameters.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        private Token Current => tokens[position];

        private Token Next()
        {
            Token token = tokens[position];
            if (token.Kind != TokenKind.End)
            {
                position++;
            }
            return token;
        }

        private static ParseException Error(ExpressionErrorKind kind, int start, int length, string message) =>
            new(new ExpressionError(kind, start, Math.Max(length, 1), message));

        private static ParseException Syntax(Token at, string message) => Error(ExpressionErrorKind.Syntax, at.Start, at.Length, message);

        public InnerParseResult ParseInner()
        {
            if (tokens.Count == 1)
            {
                throw Error(ExpressionErrorKind.Syntax, 0, text.Length, "the expression is empty; write a built-in name such as \"Norm\" or an expression in x such as \"x * sigmoid(x)\"");
            }
            // One unknown name on its own is a misspelt built-in, most likely.
            if (tokens.Count == 2 && tokens[0].Kind == TokenKind.Name && tokens[0].Text != Variable && ParameterNamed(tokens[0].Text) is null)
            {
                Token name = tokens[0];
                string nearest = BuiltInFunctions.Nearest(name.Text, BuiltInFunctions.Names);
                throw Error(ExpressionErrorKind.UnknownInner, name.Start, name.Length,
                    $"\"{name.Text}\" is not a known inner function (did you mean \"{nearest}\"?); the known ones are {string.Join(", ", BuiltInFunctions.Names)}, or write an expression in x");
            }
            Node root = ParseSum();
            if (Current.Kind != TokenKind.End)
            {
                throw Current.Is(")")
                    ? Syntax(Current, "this ')' closes no '('")
                    : Syntax(Current, $"expected an operator (+ - * / ^) before {Current.Describe()}");
            }
            bool normalized = false;
            Expr body = root.Value;
            for (int i = 0; i < normCalls.Count; i++)
            {
                Node call = normCalls[i];
                if (i == root.NormCall)
                {
                    normalized = true;
                    continue;
                }
                throw Error(ExpressionErrorKind.NormNotOutermost, call.Start, 4,
                    "norm() normalises over a whole row, so it may only enclose the whole expression, as in \"norm(tanh(x))\"");
            }
            // Decided on what the expression simplifies to: x^0, x / x and exp(0 * x)^0 are constants however they are written.
            Expr simplified = Simplifier.Simplify(body);
            if (!simplified.DependsOn(InnerFunction.U))
            {
                string constant = body.DependsOn(InnerFunction.U) ? $" (it simplifies to {simplified})" : "";
                throw Error(ExpressionErrorKind.Constant, root.Start, root.End - root.Start, $"the expression does not depend on x{constant}, so the activation would not either");
            }
            if (simplified.Size > MaxNodes)
            {
                throw Error(ExpressionErrorKind.TooLarge, root.Start, root.End - root.Start, $"the expression has {simplified.Size} nodes; the limit is {MaxNodes}");
            }
            // Powers multiply when nested or merged, (x^32)^32 = x^1024: the limit holds for the powers the expression
            // simplifies to, or the kernels (and the generator's time) would grow with the product.
            if (LargestPower(simplified) is int power && Math.Abs(power) > MaxExponent)
            {
                throw Error(ExpressionErrorKind.TooLarge, root.Start, root.End - root.Start,
                    $"the expression simplifies to a power {power} (powers multiply when nested); powers are limited to {MaxExponent} in magnitude");
            }
            return new InnerParseResult(new InnerFunction(simplified, normalized, Display(text)), null);
        }

        // The exponent of largest magnitude among the powers of the tree; null when there is none.
        private static int? LargestPower(Expr e)
        {
            int? largest = e is Power p ? p.Exponent : null;
            foreach (Expr child in e.Children)
            {
                if (LargestPower(child) is int inner && (largest is null || Math.Abs(inner) > Math.Abs(largest.Value)))
                {
                    largest = inner;
                }
            }
            return largest;
        }

        private void Enter(Token at)
        {
            if (++depth > MaxDepth)
            {
                throw Error(ExpressionErrorKind.TooLarge, at.Start, at.Length, $"the expression nests more than {MaxDepth} levels deep (parentheses, calls, signs and exponents)");
            }
        }

        private void Leave() => depth--;

        // sum := product (('+' | '-') product)*
        private Node ParseSum()
        {
            Node left = ParseProduct();
            while (Current.Is("+") || Current.Is("-"))
            {
                Token op = Next();
                Node right = ParseOperand(op, ParseProduct);
                left = new Node(op.Text == "+" ? left.Value + right.Value : left.Value - right.Value, left.Start, right.End);
            }
            return left;
        }

        // product := unary (('*' | '/') unary)*
        private Node ParseProduct()
        {
            Node left = ParseUnary();
            while (Current.Is("*") || Current.Is("/"))
            {
                Token op = Next();
                if (Current.Is("*"))
                {
                    throw Error(ExpressionErrorKind.Syntax, op.Start, 2, "'**' is not a power here: write x^2 for x squared");
                }
                Node right = ParseOperand(op, ParseUnary);
                if (op.Text == "/" && Simplifier.Simplify(right.Value) is Constant { Value: 0 })
                {
                    throw Error(ExpressionErrorKind.DivisionByZero, right.Start, right.End - right.Start, "division by zero");
                }
                left = new Node(op.Text == "*" ? left.Value * right.Value : left.Value / right.Value, left.Start, right.End);
            }
            return left;
        }

        // The right operand of a binary operator, or an error that says the operator dangles.
        private Node ParseOperand(Token op, Func<Node> parse)
        {
            if (Current.Kind == TokenKind.End || Current.Is(")") || Current.Is(","))
            {
                throw Syntax(op, $"'{op.Text}' needs an operand on its right, but {Current.Describe()} follows");
            }
            return parse();
        }

        // unary := '-' unary | '+' unary | power
        private Node ParseUnary()
        {
            if (Current.Is("-") || Current.Is("+"))
            {
                Token sign = Next();
                Enter(sign);
                Node operand = ParseOperand(sign, ParseUnary);
                Leave();
                return new Node(sign.Text == "-" ? -operand.Value : operand.Value, sign.Start, operand.End);
            }
            return ParsePower();
        }

        // power := primary ('^' unary)?, the exponent a whole-number constant; x^2^3 is x^(2^3).
        private Node ParsePower()
        {
            Node @base = ParsePrimary();
            if (!Current.Is("^"))
            {
                return @base;
            }
            Token caret = Next();
            Enter(caret);
            Node exponent = ParseOperand(caret, ParseUnary);
            Leave();
            int span = exponent.End - exponent.Start;
            Expr value = Simplifier.Simplify(exponent.Value);
            if (value is not Constant c)
            {
                throw Error(ExpressionErrorKind.Exponent, exponent.Start, span,
                    "the exponent must be a whole-number constant; for a power that depends on x write exp(... * log(...))");
            }
            if (c.Value != Math.Floor(c.Value) || double.IsInfinity(c.Value))
            {
                string hint = c.Value == 0.5 ? "write sqrt(...) for a square root" : "for a fractional power write sqrt(...) or exp(p * log(...))";
                throw Error(ExpressionErrorKind.Exponent, exponent.Start, span,
                    $"the exponent {c.Value.ToString("R", CultureInfo.InvariantCulture)} is not a whole number; {hint}");
            }
            if (Math.Abs(c.Value) > MaxExponent)
            {
                throw Error(ExpressionErrorKind.TooLarge, exponent.Start, span, $"the exponent {c.Value.ToString("R", CultureInfo.InvariantCulture)} is larger than {MaxExponent} in magnitude");
            }
            return new Node(Expr.Pow(@base.Value, (int)c.Value), @base.Start, exponent.End);
        }

        // primary := number | name | name '(' arguments ')' | '(' sum ')'
        private Node ParsePrimary()
        {
            Token token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    Next();
                    return new Node(new Constant(token.Value), token.Start, token.End);
                case TokenKind.Name:
                    Next();
                    return Current.Is("(") ? ParseCall(token) : Name(token);
                case TokenKind.Symbol when token.Is("("):
                {
                    Next();
                    Enter(token);
                    if (Current.Is(")"))
                    {
                        throw Syntax(Current, "'()' holds no expression");
                    }
                    Node inner = ParseSum();
                    Token close = Current;
                    if (!close.Is(")"))
                    {
                        throw close.Kind == TokenKind.End
                            ? Syntax(token, "this '(' is never closed")
                            : Syntax(close, $"expected ')' or an operator, not {close.Describe()}");
                    }
                    Next();
                    Leave();
                    return new Node(inner.Value, token.Start, close.End, inner.NormCall);
                }
                case TokenKind.End:
                    throw Syntax(token, "the expression ends where an operand was expected");
                default:
                    throw token.Is(")")
                        ? Syntax(token, "this ')' closes no '('")
                        : Syntax(token, $"expected a number, x or a function, not {token.Describe()}");
            }
        }

        private Node Name(Token token)
        {
            if (ParameterNamed(token.Text) is Variable parameter)
            {
                return new Node(parameter, token.Start, token.End);
            }
            string key = token.Text.ToLowerInvariant();
            if (key == Variable)
            {
                return new Node(Expr.Var(InnerFunction.U), token.Start, token.End);
            }
            if (Constants.TryGetValue(key, out double value))
            {
                return new Node(new Constant(value), token.Start, token.End);
            }
            if (Functions.ContainsKey(Key(token.Text)) || key == "norm")
            {
                throw Error(ExpressionErrorKind.Syntax, token.Start, token.Length, $"'{token.Text}' is a function: call it, as in {key}(x)");
            }
            throw Unknown(token);
        }

        private ParseException Unknown(Token token)
        {
            var known = KnownNames.Concat(parameters.Keys).ToList();
            string nearest = BuiltInFunctions.Nearest(token.Text, known);
            string declared = parameters.Count == 0 ? "" : $", and the parameters {string.Join(", ", parameters.Keys)}";
            return Error(ExpressionErrorKind.UnknownName, token.Start, token.Length,
                $"'{token.Text}' is not a known function, constant or parameter (did you mean '{nearest}'?); the known names are {string.Join(", ", KnownNames)}{declared}; "
                + $"a learnable parameter is declared in Parameters, as in Parameters = \"{token.Text} = 1\"");
        }

        private Node ParseCall(Token name)
        {
            string key = Key(name.Text);
            bool norm = key == "norm";
            if (!norm && !Functions.ContainsKey(key))
            {
                throw Unknown(name);
            }
            Token open = Next();
            Enter(open);
            var arguments = new List<Node>();
            if (Current.Is(")"))
            {
                Next();
            }
            else
            {
                while (true)
                {
                    arguments.Add(ParseSum());
                    if (Current.Is(","))
                    {
                        Token comma = Next();
                        if (Current.Is(")") || Current.Kind == TokenKind.End)
                        {
                            throw Syntax(comma, "',' needs an argument after it");
                        }
                        continue;
                    }
                    if (Current.Is(")"))
                    {
                        Next();
                        break;
                    }
                    throw Current.Kind == TokenKind.End
                        ? Syntax(open, $"the '(' of {name.Text}( is never closed")
                        : Syntax(Current, $"expected ',' or ')' in the arguments of {name.Text}, not {Current.Describe()}");
                }
            }
            Leave();
            int end = tokens[position - 1].End;
            int arity = norm ? 1 : Functions[key].Arity;
            if (arguments.Count != arity)
            {
                throw Error(ExpressionErrorKind.ArgumentCount, name.Start, end - name.Start,
                    $"{name.Text.ToLowerInvariant()} takes {arity} argument{(arity == 1 ? "" : "s")}, not {arguments.Count}");
            }
            if (norm)
            {
                var call = new Node(arguments[0].Value, name.Start, end, NormCall: normCalls.Count);
                normCalls.Add(call);
                return call;
            }
            return new Node(Functions[key].Build(arguments.Select(a => a.Value).ToArray()), name.Start, end);
        }

        private static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }
                int start = i;
                if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
                {
                    while (i < text.Length && char.IsDigit(text[i])) i++;
                    if (i < text.Length && text[i] == '.')
                    {
                        i++;
                        while (i < text.Length && char.IsDigit(text[i])) i++;
                    }
                    if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                    {
                        int mark = i;
                        i++;
                        if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
                        if (i < text.Length && char.IsDigit(text[i]))
                        {
                            while (i < text.Length && char.IsDigit(text[i])) i++;
                        }
                        else
                        {
                            i = mark; // 2e: the number 2, then the name e, which the parser reports
                        }
                    }
                    string number = text.Substring(start, i - start);
                    double value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (value > KernelContract.Float32Max)
                    {
                        throw Error(ExpressionErrorKind.ConstantRange, start, i - start, ConstantRangeMessage(number));
                    }
                    tokens.Add(new Token(TokenKind.Number, start, i - start, number, value));
                    continue;
                }
                if (char.IsLetter(c) || c == '_')
                {
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                    tokens.Add(new Token(TokenKind.Name, start, i - start, text.Substring(start, i - start)));
                    continue;
                }
                if ("+-*/^(),".IndexOf(c) >= 0)
                {
                    tokens.Add(new Token(TokenKind.Symbol, start, 1, c.ToString()));
                    i++;
                    continue;
                }
                throw Error(ExpressionErrorKind.Syntax, start, 1, $"unexpected character '{c}'; an expression uses numbers, x, pi, e, + - * / ^, parentheses and function calls");
            }
            tokens.Add(new Token(TokenKind.End, text.Length, 0, ""));
            return tokens;
        }
    }
}
