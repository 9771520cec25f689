using System;

namespace PolyComGen.Backends.Cuda;

/// <summary>
/// How a spec's kernels are launched over a tensor of <c>rows</c> rows of length <c>h</c>. Depends on the
/// shape, the element size and the device alone, so the gradient partials, and therefore the gradients,
/// are the same on every run.
/// </summary>
/// <param name="Blocks">Blocks of the forward and backward kernels.</param>
/// <param name="PartialRows">Rows of gradient partials (one column per parameter) the backward leaves for the reduction.</param>
internal readonly record struct LaunchGeometry(uint Blocks, long PartialRows)
{
    /// <summary>
    /// The geometry for a Norm (<paramref name="rowwise"/>) or elementwise spec. An elementwise spec of several
    /// <paramref name="groups"/> takes the same number of blocks for each group (block b serves group b % groups), and
    /// leaves a row of partials per block of group 0, with every group's columns.
    /// </summary>
    public static LaunchGeometry For(bool rowwise, long rows, long h, int elementSize, int multiprocessors, int groups = 1)
    {
        if (rows < 0 || h < 0 || !System.Array.Exists(Contract.KernelContract.StorageTypes, s => s.Size == elementSize) || multiprocessors <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"rows {rows}, h {h}, element size {elementSize}, {multiprocessors} multiprocessors");
        }
        if (rows == 0 || h == 0)
        {
            return new LaunchGeometry(0, 0);
        }
        long cap = (long)multiprocessors * Contract.KernelContract.BlocksPerMultiprocessor;
        if (rowwise)
        {
            // A block per row, up to as many blocks as the device holds at once; each block strides over rows,
            // and leaves one row of partials per row.
            return new LaunchGeometry((uint)Math.Min(rows, cap), rows);
        }
        long elements = rows * (h / groups);
        int perChunk = Contract.KernelContract.ChunkBytes / elementSize;
        long chunks = (elements + perChunk - 1) / perChunk;
        long needed = (chunks + Contract.KernelContract.ThreadsPerBlock - 1) / Contract.KernelContract.ThreadsPerBlock;
        uint grid = (uint)Math.Clamp(needed, 1, Math.Max(1, cap / groups));
        return new LaunchGeometry(grid * (uint)groups, grid);
    }
}
