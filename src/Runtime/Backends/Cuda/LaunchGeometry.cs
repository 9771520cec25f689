using System;
using PolyComGen.Contract;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// How a spec's kernels are launched over a tensor of <c>rows</c> rows of length <c>h</c>. Depends on the
/// shape, the element size and the device alone, so the gradient partials, and therefore the gradients,
/// are the same on every run (and, for rowwise specs whose rows fit the grid, on every device).
/// </summary>
/// <param name="Blocks">Blocks of the forward and backward kernels.</param>
/// <param name="Threads">Threads per block of the forward and backward kernels.</param>
/// <param name="PartialRows">Rows of gradient partials (one column per parameter) the backward leaves: one per block (of group 0).</param>
internal readonly record struct LaunchGeometry(uint Blocks, uint Threads, long PartialRows)
{
    /// <summary>
    /// The geometry for a Norm (<paramref name="rowwise"/>) or elementwise spec. A rowwise spec takes a row per block
    /// (<see cref="KernelContract.RowThreads"/> threads, striding over rows), up to as many blocks as the device holds at
    /// once. An elementwise spec of several <paramref name="groups"/> takes the same number of blocks for each group
    /// (block b serves group b % groups), and leaves a row of partials per block of group 0, with every group's columns.
    /// </summary>
    public static LaunchGeometry For(bool rowwise, long rows, long h, int elementSize, int multiprocessors, int groups = 1)
    {
        if (rows < 0 || h < 0 || !Array.Exists(KernelContract.StorageTypes, s => s.Size == elementSize) || multiprocessors <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"rows {rows}, h {h}, element size {elementSize}, {multiprocessors} multiprocessors");
        }
        if (rows == 0 || h == 0)
        {
            return new LaunchGeometry(0, KernelContract.ThreadsPerBlock, 0);
        }
        if (rowwise)
        {
            int threads = KernelContract.RowThreads(h, elementSize);
            uint blocks = (uint)Math.Min(rows, (long)multiprocessors * (KernelContract.ThreadsPerMultiprocessor / threads));
            return new LaunchGeometry(blocks, (uint)threads, blocks);
        }
        long cap = (long)multiprocessors * KernelContract.BlocksPerMultiprocessor;
        long elements = rows * (h / groups);
        int perChunk = KernelContract.ChunkBytes / elementSize;
        long chunks = (elements + perChunk - 1) / perChunk;
        long needed = (chunks + KernelContract.ThreadsPerBlock - 1) / KernelContract.ThreadsPerBlock;
        uint grid = (uint)Math.Clamp(needed, 1, Math.Max(1, cap / groups));
        return new LaunchGeometry(grid * (uint)groups, KernelContract.ThreadsPerBlock, grid);
    }
}
