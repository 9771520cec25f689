namespace PolyComGen.Generator.Expressions.Language;

/// <summary>What is wrong with an Inner expression; each kind is one diagnostic.</summary>
internal enum ExpressionErrorKind
{
    /// <summary>Not a well-formed expression: an unexpected character or token, a parenthesis missing or extra, a dangling operator, <c>**</c>, nothing at all.</summary>
    Syntax,

    /// <summary>A name that is neither a function nor x, pi or e.</summary>
    UnknownName,

    /// <summary>The whole Inner is one unknown name: not a built-in inner function.</summary>
    UnknownInner,

    /// <summary>An exponent that is not a whole-number constant.</summary>
    Exponent,

    /// <summary>norm() anywhere but around the whole expression.</summary>
    NormNotOutermost,

    /// <summary>The expression does not depend on x.</summary>
    Constant,

    /// <summary>A division by a constant zero.</summary>
    DivisionByZero,

    /// <summary>A function called with the wrong number of arguments.</summary>
    ArgumentCount,

    /// <summary>Longer, more deeply nested or larger than the language's limits.</summary>
    TooLarge,

    /// <summary>A constant, written or derived, beyond the range of float32, in which the kernels compute.</summary>
    ConstantRange,
}
