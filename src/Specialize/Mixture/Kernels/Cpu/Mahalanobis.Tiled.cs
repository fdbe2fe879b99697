using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;
using Specialize.Variants;

namespace Specialize.Mixture;

// CPU Mahalanobis variant Tiled: 16 rows x 4 columns per step from a repacked triangle of P.
public static partial class GmmKernels
{
    // ---- Mahalanobis: Tiled ---------------------------------------------------------------------

    /// <summary>
    /// Register tiles of 16 rows x 4 columns of <c>(x - mu) P</c>: per step of the inner loop, four
    /// vectors of centered rows and four broadcast precision factors feed 16 FMAs. The factors are
    /// repacked once per call in the order the loop reads them (for column group <c>g</c>, rows
    /// <c>0 .. 4g + 3</c> of columns <c>4g .. 4g + 3</c>, zero below the diagonal and in padding), so the
    /// triangle of <c>P</c> is skipped except at the corner of each group.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisTiled(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3;
        int groups = de / 4;
        int packedSize = 8 * groups * (groups + 1); // sum over g of (4g + 4) rows x 4 columns
        var packed = PackTriangles(input.PrecisionArray, d, m, groups, packedSize);

        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var output = input.OutputArray;
        var zeros = new double[de]; // the columns start at zero: the rows are centered
        Parallel.For(
            0,
            chunks,
            () => new double[de * B], // padding features stay zero
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
                ref double start = ref MemoryMarshal.GetArrayDataReference(zeros);
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    for (int k = 0; k < m; k++)
                    {
                        for (int i = 0; i < d; i++)
                        {
                            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                            var di = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(i * B, B));
                            var mi = Vector256.Create(mu[k * d + i]);
                            for (int v = 0; v < di.Length; v++)
                            {
                                di[v] = xi[v] - mi;
                            }
                        }

                        ref double pk = ref packed[k * packedSize];
                        ref double dst = ref output[(blk * m + k) * B];
                        for (int c = 0; c < B; c += 16)
                        {
                            TiledRows<Tile256, double, Vector256<double>>(ref Unsafe.Add(ref dRef, c), ref pk, ref start, groups, d, ref Unsafe.Add(ref dst, c));
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }

    /// <summary>
    /// The precision factors repacked in the order <see cref="TiledRows{TLanes, T, TVector}"/>
    /// read them: per component and column group <c>g</c>, rows <c>0 .. 4g + 3</c> of columns
    /// <c>4g .. 4g + 3</c>, zero below the diagonal and in padding.
    /// </summary>
    private static double[] PackTriangles(double[] u, int d, int m, int groups, int packedSize)
    {
        var packed = new double[m * packedSize];
        for (int k = 0; k < m; k++)
        {
            int q = k * packedSize;
            for (int g = 0; g < groups; g++)
            {
                for (int i = 0; i < 4 * g + 4; i++)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        int j = (4 * g) + c;
                        packed[q++] = i < d && j < d && i <= j ? u[((k * d) + i) * d + j] : 0;
                    }
                }
            }
        }

        return packed;
    }
}
