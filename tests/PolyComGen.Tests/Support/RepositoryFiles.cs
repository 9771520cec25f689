using System.Runtime.CompilerServices;

namespace PolyComGen.Tests.Support;

/// <summary>Files of the repository the tests read (README, docs, examples), found from this source file's place.</summary>
public static class RepositoryFiles
{
    /// <summary>The repository's root folder.</summary>
    public static string Root { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(SourceFolder(), "..", "..", ".."));

    /// <summary>A path under the repository's root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string SourceFolder([CallerFilePath] string path = "") => System.IO.Path.GetDirectoryName(path)!;
}
