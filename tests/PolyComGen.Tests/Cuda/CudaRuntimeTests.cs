using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PolyComGen.Backends.Cuda;
using PolyComGen.Contract;
using Xunit;

namespace PolyComGen.Tests.Cuda;

/// <summary>The CUDA runtime's logic that needs no GPU: geometry, argument packing, cache, library search.</summary>
public sealed class CudaRuntimeTests
{
    [Theory]
    [InlineData(16384, 8192, 4, 132, 512u, 528u)]   // 2048 chunks, 4 a thread; 4 blocks per multiprocessor, each striding over rows
    [InlineData(1000, 8192, 4, 132, 512u, 528u)]
    [InlineData(1000, 16384, 4, 132, 1024u, 264u)]  // the longest float32 row one block keeps on chip
    [InlineData(8, 32768, 2, 132, 1024u, 8u)]       // the longest bfloat16 one
    [InlineData(1, 65536, 2, 132, 1024u, 1u)]       // longer rows: the most threads, the rest of the row read per pass
    [InlineData(4096, 1024, 4, 132, 128u, 2112u)]   // short rows: the fewest threads, 16 blocks per multiprocessor
    [InlineData(4096, 1000, 4, 132, 128u, 2112u)]
    [InlineData(4096, 4000, 4, 132, 256u, 1056u)]   // 1000 chunks: 250 threads, rounded up to whole warps
    public void NormLaunchesABlockPerRowSizedToKeepTheRowOnChip(long rows, long h, int elementSize, int sms, uint threads, uint blocks)
    {
        Assert.Equal(new LaunchGeometry(blocks, threads, blocks), LaunchGeometry.For(rowwise: true, rows, h, elementSize, sms));
        Assert.True(threads * KernelContract.RowChunksPerThread * KernelContract.ChunkBytes >= h * elementSize || threads == KernelContract.MaxRowThreads);
    }

    [Fact]
    public void AnEmptyTensorLaunchesNothing()
    {
        Assert.Equal(0u, LaunchGeometry.For(rowwise: true, 0, 8, 4, 132).Blocks);
        Assert.Equal(0u, LaunchGeometry.For(rowwise: false, 4, 0, 4, 132).Blocks);
    }

    [Theory]
    [InlineData(1, 7, 4, 132, 1u)]            // 2 chunks of 4 floats: one block
    [InlineData(1, 256 * 4 * 3, 4, 132, 3u)]  // exactly three blocks of 256 threads x 4 floats
    [InlineData(1, 256 * 8 * 3 + 1, 2, 132, 4u)] // halves: 8 per chunk, and one element more
    [InlineData(16384, 8192, 2, 132, 1056u)]  // capped at 8 blocks per multiprocessor
    public void ElementwiseGridCoversTheTensorUpToAFixedCap(long rows, long h, int elementSize, int sms, uint blocks)
    {
        LaunchGeometry geometry = LaunchGeometry.For(rowwise: false, rows, h, elementSize, sms);
        Assert.Equal(blocks, geometry.Blocks);
        Assert.Equal((long)blocks, geometry.PartialRows);
    }

    [Fact]
    public void GeometryRejectsUnsupportedElementSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchGeometry.For(true, 1, 1, 8, 1));
    }

    [Fact]
    public unsafe void ArgumentsArePackedOnePointerPerValue()
    {
        using var arguments = new KernelArguments(4).Add(0x1122334455667788UL).Add(42).Add((IntPtr)0xABC).Add(2.5f);

        Assert.Equal(4, arguments.Count);
        Assert.Equal(0x1122334455667788UL, *(ulong*)arguments.Pointers[0]);
        Assert.Equal(42, *(int*)arguments.Pointers[1]);
        Assert.Equal((IntPtr)0xABC, *(IntPtr*)arguments.Pointers[2]);
        Assert.Equal(2.5f, *(float*)arguments.Pointers[3]);
        Assert.Throws<InvalidOperationException>(() => arguments.Add(1));
    }

    [Fact]
    public void CacheKeysChangeWithEveryInputThatChangesTheImage()
    {
        string key = KernelCache.Key("src", ["sm_90", "nvrtc 12.8", "-a"]);
        Assert.Equal(key, KernelCache.Key("src", ["sm_90", "nvrtc 12.8", "-a"]));
        Assert.Equal(64, key.Length);
        Assert.Equal(6, new[]
        {
            key,
            KernelCache.Key("src ", ["sm_90", "nvrtc 12.8", "-a"]),
            KernelCache.Key("src", ["sm_80", "nvrtc 12.8", "-a"]),
            KernelCache.Key("src", ["sm_90", "nvrtc 11.8", "-a"]),
            KernelCache.Key("src", ["sm_90", "nvrtc 12.8", "-b"]),
            KernelCache.Key("src", ["sm_90", "nvrtc 12.8", "-a", "-b"]),
        }.Distinct().Count());
    }

    [Fact]
    public void CacheStoresOnDiskAndReadsBack()
    {
        using var folder = new TemporaryFolder();
        var image = new KernelImage([1, 2, 3, 4], KernelImageKind.Ptx);
        int compilations = 0;

        var first = new KernelCache(folder.Path).GetOrCompile("k1", () => { compilations++; return image; });
        var second = new KernelCache(folder.Path).GetOrCompile("k1", () => { compilations++; return image; });

        Assert.Equal(1, compilations);
        Assert.Equal(image.Bytes, second.Bytes);
        Assert.True(second.IsPtx);
        Assert.Equal(first.Bytes, second.Bytes);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("empty")]
    [InlineData("garbage")]
    public void CorruptEntriesAreRecompiledAndReplaced(string damage)
    {
        using var folder = new TemporaryFolder();
        var cache = new KernelCache(folder.Path);
        cache.GetOrCompile("k", () => new KernelImage(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(), KernelImageKind.Cubin));
        string path = cache.PathOf("k");
        byte[] entry = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage switch
        {
            "truncated" => entry[..(entry.Length - 10)],
            "flipped" => entry.Select((b, i) => i == entry.Length - 1 ? (byte)(b ^ 1) : b).ToArray(),
            "empty" => [],
            _ => "not a cache entry"u8.ToArray(),
        });

        Assert.Null(new KernelCache(folder.Path).TryRead("k"));
        int compilations = 0;
        var image = new KernelCache(folder.Path).GetOrCompile("k", () => { compilations++; return new KernelImage([9, 9], KernelImageKind.Cubin); });

        Assert.Equal(1, compilations);
        Assert.Equal([9, 9], image.Bytes);
        Assert.Equal([9, 9], new KernelCache(folder.Path).TryRead("k")!.Bytes);
    }

    [Fact]
    public void ConcurrentRequestsCompileOnce()
    {
        using var folder = new TemporaryFolder();
        var cache = new KernelCache(folder.Path);
        int compilations = 0;
        var results = new KernelImage[16];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = cache.GetOrCompile("shared", () =>
            {
                Interlocked.Increment(ref compilations);
                Thread.Sleep(50);
                return new KernelImage([7], KernelImageKind.HostLibrary);
            }));

        Assert.Equal(1, compilations);
        Assert.All(results, r => Assert.Equal([7], r.Bytes));
    }

    [Fact]
    public void CacheFolderFollowsTheEnvironment()
    {
        string? saved = Environment.GetEnvironmentVariable(KernelCache.FolderVariable);
        try
        {
            Environment.SetEnvironmentVariable(KernelCache.FolderVariable, "/tmp/pcg-cache-test");
            Assert.Equal("/tmp/pcg-cache-test", KernelCache.DefaultFolder());
            Environment.SetEnvironmentVariable(KernelCache.FolderVariable, null);
            Assert.EndsWith(Path.Combine(".cache", "polycomgen"), KernelCache.DefaultFolder().Replace(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? "\0", ".cache"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(KernelCache.FolderVariable, saved);
        }
    }

    [Fact]
    public void NvrtcIsSearchedByNameThenUnderTheToolkitFolders()
    {
        var environment = new Dictionary<string, string> { ["CUDA_PATH"] = "/opt/cuda-a", ["CUDA_HOME"] = "/opt/cuda-b" };
        IReadOnlyList<string> candidates = NativeLibraryLocator.NvrtcCandidates(name => environment.GetValueOrDefault(name));

        Assert.Equal(["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"], candidates.Take(4));
        Assert.Equal("/opt/cuda-a/lib64/libnvrtc.so", candidates[4]);
        Assert.Contains("/opt/cuda-b/lib64/libnvrtc.so.12", candidates);
        Assert.Equal("/usr/local/cuda/lib64/libnvrtc.so.11.2", candidates[^1]);
        Assert.Equal(["libcuda.so.1", "libcuda.so"], NativeLibraryLocator.DriverCandidates);
    }

    [Fact]
    public void MissingLibrariesAreAStateNotACrash()
    {
        Assert.Null(NativeLibraryLocator.TryLoad(["/nonexistent/libcuda.so.1", "libpolycomgen-missing.so"], out string tried));
        Assert.Contains("/nonexistent/libcuda.so.1", tried);

        // This machine has no GPU driver: the runtime says so instead of failing at load.
        if (CudaDriver.TryLoad(out string reason) is null)
        {
            Assert.False(CudaBackend.IsAvailable(out string why));
            Assert.Contains("CUDA driver", why);
            Assert.Contains("libcuda.so.1", reason);
        }
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("pcg-cache-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
