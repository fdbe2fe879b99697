using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace Specialize.Mixture;

// CPU Mahalanobis variants for float32 EM: Tiled-F32 and Tiled-512-F32, the Tiled kernel in float lanes.
public static partial class GmmKernels
{
    /// <summary>
    /// The <c>Tiled</c> kernel in float32: the centered rows are formed from the float rows, and 4 vectors of rows
    /// (64 rows, a whole block, on 512-bit vectors; 32 on 256-bit ones) x 4 columns of <c>(x - mu) P</c> are
    /// computed per step with float multiply-adds against the float triangle of <c>P</c>. The distances are written
    /// widened to double, where the E-step's log-sum-exp goes on; like the other chunked variants it hands each
    /// chunk of distances to the E-step while it is in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisTiledSingle<TLanes, TVector>(GmmKernelInput input)
        where TLanes : struct, ITileLanes<float, TVector>
        where TVector : struct
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3;
        int groups = de / 4;
        int packedSize = 8 * groups * (groups + 1);
        var packedDouble = PackTriangles(input.PrecisionArray, d, m, groups, packedSize);
        var packed = new float[packedDouble.Length];
        for (int c = 0; c < packed.Length; c++)
        {
            packed[c] = (float)packedDouble[c];
        }

        var mu = input.MeanArray;
        var zeros = new float[de];
        var x = input.Data.BlockedSingleArray;
        var output = input.OutputArray;
        int rowsPerStep = 4 * TLanes.Count;
        Parallel.For(
            0,
            chunks,
            () => (Diff: new float[d * B], Distances: new float[B]),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                ref float diff = ref scratch.Diff[0];
                ref float distances = ref scratch.Distances[0];
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    ref float xb = ref x[blk * d * B];
                    for (int k = 0; k < m; k++)
                    {
                        for (int i = 0; i < d; i++)
                        {
                            ref float xi = ref Unsafe.Add(ref xb, i * B);
                            ref float di = ref Unsafe.Add(ref diff, i * B);
                            var mi = Vector256.Create((float)mu[k * d + i]);
                            for (nuint v = 0; v < B; v += 8)
                            {
                                (Vector256.LoadUnsafe(ref xi, v) - mi).StoreUnsafe(ref di, v);
                            }
                        }

                        for (int c = 0; c < B; c += rowsPerStep)
                        {
                            TiledRows<TLanes, float, TVector>(ref Unsafe.Add(ref diff, c), ref packed[k * packedSize], ref zeros[0], groups, d, ref Unsafe.Add(ref distances, c));
                        }

                        ref double dst = ref output[(blk * m + k) * B];
                        for (nuint v = 0; v < B; v += 8)
                        {
                            var f = Vector256.LoadUnsafe(ref distances, v);
                            Vector256.WidenLower(f).StoreUnsafe(ref dst, v);
                            Vector256.WidenUpper(f).StoreUnsafe(ref dst, v + 4);
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);
                return scratch;
            },
            static _ => { });
    }
}
