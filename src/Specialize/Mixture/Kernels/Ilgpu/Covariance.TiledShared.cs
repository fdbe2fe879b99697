using System.Numerics;
using ILGPU;

namespace Specialize.Mixture;

/// <summary>
/// <c>Tiled-Shared</c>, a covariance variant beyond the paper's: one group per (component, chunk of
/// <see cref="ChunkBlocks"/> blocks). For each block of 64 rows the group stages the centered rows and the
/// responsibility-scaled centered rows in shared memory (one coalesced read of x and r), then each thread adds
/// the block's product into its cells, kept in shared memory across the chunk: a symmetric rank-64 update per
/// block that reads each value from global memory once, where V3 and V4 read it once per cell. The chunks'
/// partial matrices are added in chunk order by <see cref="IlgpuCovarianceCook.ReducePieces"/>.
/// </summary>
internal static class IlgpuCovarianceTiled
{
    private const int B = GmmData.BlockSize;

    /// <summary>Blocks of rows per group.</summary>
    internal const int ChunkBlocks = 8;

    /// <summary>Elements of dynamic shared memory the kernel needs: two tiles of D x 64 and the P cells.</summary>
    internal static int SharedElements(int d) => (2 * d * B) + (d * (d + 1) / 2);

    internal static void TiledShared<T, TReal>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, ArrayView<double> partials, int d, int m, int p, int blocks, int chunks)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        var shared = SharedMemory.GetDynamic<T>();
        int tile = d * B;
        int k = Grid.IdxX / chunks, chunk = Grid.IdxX % chunks;
        int first = chunk * ChunkBlocks, end = first + ChunkBlocks < blocks ? first + ChunkBlocks : blocks;
        for (int c = Group.IdxX; c < p; c += Group.DimX)
        {
            shared[(2 * tile) + c] = T.Zero;
        }

        for (int blk = first; blk < end; blk++)
        {
            Group.Barrier();
            for (int t = Group.IdxX; t < tile; t += Group.DimX)
            {
                int i = t / B, b = t % B;
                T centered = x[(((blk * d) + i) * B) + b] - means[(k * d) + i];
                shared[t] = centered;
                shared[tile + t] = resp[(((blk * m) + k) * B) + b] * centered;
            }

            Group.Barrier();
            for (int c = Group.IdxX; c < p; c += Group.DimX)
            {
                int ci = pairs[2 * c] * B, cj = pairs[(2 * c) + 1] * B;
                T s = T.Zero;
                for (int b = 0; b < B; b++)
                {
                    s += shared[tile + ci + b] * shared[cj + b];
                }

                shared[(2 * tile) + c] += s;
            }
        }

        for (int c = Group.IdxX; c < p; c += Group.DimX)
        {
            partials[(Grid.IdxX * p) + c] = TReal.ToDouble(shared[(2 * tile) + c]);
        }
    }

    /// <summary>One thread per (component, cell): element-typed partial sums of the pieces (the kernels written for one dimension leave them so), added in order in double.</summary>
    internal static void ReducePieces<T, TReal>(Index1D index, ArrayView<T> partials, ArrayView<double> output, int p, int pieces)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int k = index.X / p, c = index.X % p;
        double s = 0;
        for (int piece = 0; piece < pieces; piece++)
        {
            s += TReal.ToDouble(partials[(((k * pieces) + piece) * p) + c]);
        }

        output[index.X] = s;
    }
}
