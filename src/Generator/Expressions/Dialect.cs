using System;
using System.Collections.Generic;
using System.Globalization;

namespace PolyComGen.Generator.Expressions;

/// <summary>How one target language spells constants, variables, operations and temporaries.</summary>
internal abstract class Dialect
{
    public abstract string Constant(double value);

    /// <summary>The operation applied to already-spelled arguments.</summary>
    public abstract string Call(Operation operation, IReadOnlyList<string> arguments);

    /// <summary>A statement that declares and initialises a temporary.</summary>
    public abstract string Declare(string name, string value);

    /// <summary>A statement that gives a declared variable a new value.</summary>
    public virtual string Assign(string name, string value) => $"{name} = {value};";

    /// <summary>Whether the target has a form of <paramref name="operation"/>.</summary>
    public virtual bool Supports(Operation operation) => true;

    /// <summary>A literal with a decimal point or exponent, as C, C++, C# and Python all read it.</summary>
    protected static string RealLiteral(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Constants must be finite.");
        }
        return WithPoint(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>The shortest literal that reads back as the float nearest <paramref name="value"/>, without a suffix.</summary>
    protected static string FloatLiteral(double value)
    {
        float single = (float)value;
        if (float.IsNaN(single) || float.IsInfinity(single))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Constants must be finite in float32.");
        }
        return WithPoint(single.ToString("R", CultureInfo.InvariantCulture));
    }

    private static string WithPoint(string text) => text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";

    /// <summary>Fills a spelling's {0}, {1}... with the arguments.</summary>
    protected static string Format(string spelling, IReadOnlyList<string> arguments)
    {
        string text = spelling;
        for (int i = 0; i < arguments.Count; i++)
        {
            text = text.Replace("{" + i.ToString(CultureInfo.InvariantCulture) + "}", arguments[i]);
        }
        return text;
    }
}
