using System;
using System.Text;

namespace PolyComGen.Generator.Helpers;

/// <summary>Writes source text with LF line endings and four-space indentation scoped by <see cref="Block"/>.</summary>
internal sealed class IndentedTextWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder = new();
    private int depth;
    private bool atLineStart = true;

    /// <summary>Writes <paramref name="text"/>, indenting it when it starts a line.</summary>
    public IndentedTextWriter Write(string text)
    {
        if (text.Length == 0)
        {
            return this;
        }
        if (atLineStart)
        {
            for (int i = 0; i < depth; i++)
            {
                builder.Append(IndentUnit);
            }
            atLineStart = false;
        }
        builder.Append(text);
        return this;
    }

    /// <summary>Writes <paramref name="line"/> and a line feed; each line of a multi-line string is indented.</summary>
    public IndentedTextWriter WriteLine(string line = "")
    {
        string[] lines = line.Split('\n');
        foreach (string part in lines)
        {
            Write(part.TrimEnd('\r'));
            builder.Append('\n');
            atLineStart = true;
        }
        return this;
    }

    /// <summary>Writes raw text verbatim, without indentation (for raw string literal contents).</summary>
    public IndentedTextWriter WriteVerbatim(string text)
    {
        builder.Append(text.Replace("\r\n", "\n"));
        atLineStart = text.EndsWith("\n", StringComparison.Ordinal);
        return this;
    }

    /// <summary>Writes each line of <paramref name="text"/> (itself already indented) at the current indentation; nothing for no text.</summary>
    public IndentedTextWriter WriteVerbatimLines(string text)
    {
        if (text.Length == 0)
        {
            return this;
        }
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            WriteLine(line);
        }
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; disposing the result closes it.</summary>
    public Scope Block(string header, string close = "}")
    {
        if (header.Length > 0)
        {
            WriteLine(header);
        }
        WriteLine("{");
        depth++;
        return new Scope(this, close);
    }

    /// <summary>Increases the indentation until the result is disposed.</summary>
    public Scope Indent()
    {
        depth++;
        return new Scope(this, null);
    }

    public override string ToString() => builder.ToString();

    internal readonly struct Scope : IDisposable
    {
        private readonly IndentedTextWriter writer;
        private readonly string? close;

        public Scope(IndentedTextWriter writer, string? close)
        {
            this.writer = writer;
            this.close = close;
        }

        public void Dispose()
        {
            writer.depth--;
            if (close is not null)
            {
                writer.WriteLine(close);
            }
        }
    }
}
