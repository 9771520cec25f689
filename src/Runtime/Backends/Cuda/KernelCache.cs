using System;
using System.Collections.Concurrent;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// Compiled kernel images, cached in memory and on disk by a key over the source and everything else that
/// changes the image (for NVRTC: architecture, version, options; for the emulated device: the emulation
/// header, the host compiler and its flags). Disk entries are written atomically (a temporary file, then a rename) and carry a checksum:
/// a corrupt or truncated entry is compiled again and replaced, never loaded. Safe to use from several threads;
/// each key is compiled at most once per process.
/// </summary>
internal sealed class KernelCache
{
    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string FolderVariable = "POLYCOMGEN_CACHE_DIR";

    private static readonly byte[] Magic = "PCGK1\n"u8.ToArray();
    private const int HeaderLength = 6 + 1 + 8 + 32; // magic, image kind, payload length, SHA-256 of the payload

    private readonly ConcurrentDictionary<string, Lazy<KernelImage>> memory = new();

    /// <summary>Creates a cache over <paramref name="folder"/>, or over <see cref="DefaultFolder"/> when null.</summary>
    public KernelCache(string? folder = null) => Folder = folder ?? DefaultFolder();

    /// <summary>The folder that holds the disk entries.</summary>
    public string Folder { get; }

    /// <summary>$POLYCOMGEN_CACHE_DIR, else $XDG_CACHE_HOME/polycomgen, else ~/.cache/polycomgen.</summary>
    public static string DefaultFolder()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } overridden)
        {
            return overridden;
        }
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "polycomgen");
    }

    /// <summary>The cache key: a hex SHA-256 over the source and everything else that changes the compiled image.</summary>
    public static string Key(string source, string[] identity)
    {
        string text = string.Join("\n", [Hex(SHA256.HashData(Encoding.UTF8.GetBytes(source))), .. identity]);
        return Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Where the disk entry of <paramref name="key"/> lives.</summary>
    public string PathOf(string key) => Path.Combine(Folder, key + ".bin");

    /// <summary>The image for <paramref name="key"/>: from memory, else from disk, else from <paramref name="compile"/> (then stored).</summary>
    public KernelImage GetOrCompile(string key, Func<KernelImage> compile) =>
        memory.GetOrAdd(key, k => new Lazy<KernelImage>(() => TryRead(k) ?? Store(k, compile()))).Value;

    /// <summary>Reads a disk entry; null when it is missing, truncated or fails its checksum.</summary>
    public KernelImage? TryRead(string key)
    {
        byte[] entry;
        try
        {
            entry = File.ReadAllBytes(PathOf(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (entry.Length < HeaderLength || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }
        var kind = (KernelImageKind)entry[Magic.Length];
        long length = BitConverter.ToInt64(entry, Magic.Length + 1);
        if (length != entry.Length - HeaderLength)
        {
            return null;
        }
        ReadOnlySpan<byte> payload = entry.AsSpan(HeaderLength);
        return SHA256.HashData(payload).AsSpan().SequenceEqual(entry.AsSpan(Magic.Length + 9, 32)) ? new KernelImage(payload.ToArray(), kind) : null;
    }

    private KernelImage Store(string key, KernelImage image)
    {
        string temporary = Path.Combine(Folder, $"{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Folder);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Magic);
                stream.WriteByte((byte)image.Kind);
                stream.Write(BitConverter.GetBytes((long)image.Bytes.Length));
                stream.Write(SHA256.HashData(image.Bytes));
                stream.Write(image.Bytes);
            }
            File.Move(temporary, PathOf(key), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk costs a recompilation next time, nothing more.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do.
            }
        }
        return image;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
