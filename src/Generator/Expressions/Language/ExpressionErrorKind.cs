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

    /// <summary>A Parameters string that is not a comma-separated list of name = value, or is too long.</summary>
    ParameterSyntax,

    /// <summary>A parameter name the language or the generated modules use.</summary>
    ParameterName,

    /// <summary>A parameter declared twice.</summary>
    ParameterDuplicate,

    /// <summary>A parameter's initial value that is missing or not a finite float32.</summary>
    ParameterValue,

    /// <summary>A parameter declared and not used in the expression.</summary>
    ParameterUnused,
}
