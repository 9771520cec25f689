using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace PolyComGen.Samples.Explorer;

/// <summary>
/// The explorer's default real text: the English API documentation the .NET SDK's reference pack ships as XML
/// (<c>packs/Microsoft.NETCore.App.Ref/VERSION/ref/netX/*.xml</c>, MIT licensed, about 31 MB), found from the running
/// runtime's location, stripped to its prose: one document per documented member (its summary, parameters, returns,
/// remarks and exceptions as text, tags replaced by the names they refer to, whitespace normalised), split into train
/// and validation by document (a hash of the member's name sends one in ten to validation), and cached after the first
/// extraction.
/// </summary>
public static class SdkDocumentation
{
    /// <summary>The reference pack's documentation folder of the running .NET, or null with the reason there is none.</summary>
    public static string? Find(out string reason)
    {
        // The runtime lives in DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/; the packs beside shared/.
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var roots = new List<string>();
        DirectoryInfo? shared = Directory.GetParent(runtime.TrimEnd(Path.DirectorySeparatorChar))?.Parent?.Parent;
        if (shared is not null)
        {
            roots.Add(shared.FullName);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is string root && root.Length > 0)
        {
            roots.Add(root);
        }
        foreach (string candidate in roots.Distinct())
        {
            string packs = Path.Combine(candidate, "packs", "Microsoft.NETCore.App.Ref");
            if (!Directory.Exists(packs))
            {
                continue;
            }
            // The newest pack, and in it the newest target framework with documentation.
            foreach (string version in Directory.GetDirectories(packs).OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out Version? v) ? v : new Version()))
            {
                string refs = Path.Combine(version, "ref");
                if (!Directory.Exists(refs))
                {
                    continue;
                }
                string? folder = Directory.GetDirectories(refs).OrderByDescending(d => d, StringComparer.Ordinal)
                    .FirstOrDefault(d => Directory.EnumerateFiles(d, "*.xml").Any());
                if (folder is not null)
                {
                    reason = "";
                    return folder;
                }
            }
        }
        reason = $"no .NET reference pack documentation (packs/Microsoft.NETCore.App.Ref/*/ref/*/*.xml) beside the runtime in {runtime}";
        return null;
    }

    /// <summary>
    /// The corpus of the documentation in <paramref name="folder"/>, byte-level: from the cache in
    /// <paramref name="cacheFolder"/> when an earlier run extracted it, else extracted now and cached.
    /// </summary>
    public static Corpus Load(string folder, string? cacheFolder = null)
    {
        string version = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(folder)!)!);
        string framework = Path.GetFileName(folder);
        string[] files = Directory.GetFiles(folder, "*.xml").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        cacheFolder ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "polycomgen", "corpus");
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", files.Select(f => $"{f} {new FileInfo(f).Length}"))))).Substring(0, 16);
        string train = Path.Combine(cacheFolder, $"sdk-docs-{version}-{key}.train.txt"), validation = Path.Combine(cacheFolder, $"sdk-docs-{version}-{key}.validation.txt");
        if (!File.Exists(train) || !File.Exists(validation))
        {
            var (trainText, validationText) = Split(files.SelectMany(Documents));
            Directory.CreateDirectory(cacheFolder);
            WriteAtomically(train, trainText);
            WriteAtomically(validation, validationText);
        }
        byte[] trainBytes = File.ReadAllBytes(train), validationBytes = File.ReadAllBytes(validation);
        return new Corpus(
            $".NET {version} reference documentation ({framework}, {files.Length} files), prose of each member, byte-level, {trainBytes.Length + validationBytes.Length} bytes, split by member",
            256, trainBytes.Select(b => (int)b).ToArray(), validationBytes.Select(b => (int)b).ToArray(), null);
    }

    /// <summary>The documents of one XML documentation file: (member name, prose), one per member with any text.</summary>
    public static IEnumerable<(string Member, string Text)> Documents(string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true };
        using XmlReader reader = XmlReader.Create(path, settings);
        while (reader.ReadToFollowing("member"))
        {
            string member = reader.GetAttribute("name") ?? "";
            var text = new StringBuilder();
            using (XmlReader inner = reader.ReadSubtree())
            {
                inner.Read();
                while (inner.Read())
                {
                    switch (inner.NodeType)
                    {
                        case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                            text.Append(inner.Value);
                            break;
                        case XmlNodeType.Element:
                            text.Append(Reference(inner));
                            if (inner.Name is "para" or "summary" or "param" or "returns" or "remarks" or "exception" or "value" or "typeparam" or "example")
                            {
                                text.Append(' ');
                            }
                            break;
                        case XmlNodeType.EndElement:
                            text.Append(' ');
                            break;
                    }
                }
            }
            string prose = Whitespace.Replace(text.ToString(), " ").Trim();
            if (prose.Length > 0)
            {
                yield return (member, prose);
            }
        }
    }

    /// <summary>Train and validation text: one document a line, one in ten documents (by a hash of its member's name) to validation.</summary>
    public static (string Train, string Validation) Split(IEnumerable<(string Member, string Text)> documents)
    {
        var train = new StringBuilder();
        var validation = new StringBuilder();
        foreach (var (member, text) in documents)
        {
            byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(member));
            (hash[0] % 10 == 0 ? validation : train).Append(text).Append('\n');
        }
        return (train.ToString(), validation.ToString());
    }

    // What an empty reference element stands for in prose: the word of <see langword>, the short name of a cref
    // (T:System.Collections.BitArray -> BitArray, M:System.String.Join(...) -> Join), the name of a paramref.
    private static string Reference(XmlReader element)
    {
        if (element.GetAttribute("langword") is string word)
        {
            return word;
        }
        if (element.GetAttribute("cref") is string cref && element.IsEmptyElement)
        {
            string name = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..] : cref;
            int parenthesis = name.IndexOf('(', StringComparison.Ordinal);
            if (parenthesis >= 0)
            {
                name = name[..parenthesis];
            }
            name = name[(name.LastIndexOf('.') + 1)..];
            int generic = name.IndexOf('`', StringComparison.Ordinal);
            return generic >= 0 ? name[..generic] : name;
        }
        if (element.Name is "paramref" or "typeparamref" && element.GetAttribute("name") is string parameter)
        {
            return parameter;
        }
        return "";
    }

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.Compiled);

    private static void WriteAtomically(string path, string text)
    {
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
