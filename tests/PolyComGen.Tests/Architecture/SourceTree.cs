using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace PolyComGen.Tests.Architecture;

/// <summary>The C# files of a source folder and their code without comments, for the layering tests.</summary>
internal static class SourceTree
{
    /// <summary>Every .cs file below <paramref name="root"/>, build output left out, as paths relative to it (theory data).</summary>
    public static IEnumerable<object[]> Files(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => new object[] { Path.GetRelativePath(root, f) });

    /// <summary>A file's code with its comments removed, so that a name in a comment does not count as a dependency.</summary>
    public static string Code(string root, string file) =>
        Regex.Replace(File.ReadAllText(Path.Combine(root, file)), @"//.*?$|/\*.*?\*/", "", RegexOptions.Multiline | RegexOptions.Singleline);

    /// <summary>The top folder of a relative path; empty for a file at the root.</summary>
    public static string FolderOf(string file) => file.Contains(Path.DirectorySeparatorChar) ? file[..file.IndexOf(Path.DirectorySeparatorChar)] : "";
}
