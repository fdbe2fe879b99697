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

// CPU Mahalanobis variants Blocked and Blocked-512: 16 rows x 2 columns of (x - mu) P per step.
public static partial class GmmKernels
{
    // ---- Mahalanobis: Blocked, Blocked-512 ------------------------------------------------------

    /// <summary>
    /// Per block of <see cref="B"/> rows and component: the rows centered once, then for each pair of columns
    /// <c>j, j + 1</c> of <c>(x - mu) U</c> the loads of rows <c>0 .. j</c> shared by both columns, four vectors
    /// of rows at a time: 16 rows per pass on 256-bit vectors (<c>Blocked</c>), 32 on 512-bit (<c>Blocked-512</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisBlocked<TLanes, TVector>(GmmKernelInput input)
        where TLanes : struct, ITileLanes<double, TVector>
        where TVector : struct
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var u = input.PrecisionArray;
        var output = input.OutputArray;
        Parallel.For(
            0,
            chunks,
            () => new double[d * B],
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                nuint lanes = (nuint)TLanes.Count; // a constant once the kernel is compiled for its width
                ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    for (int k = 0; k < m; k++)
                    {
                        for (int i = 0; i < d; i++)
                        {
                            ref double xi = ref MemoryMarshal.GetReference(x.AsSpan((blk * d + i) * B, B));
                            ref double di = ref MemoryMarshal.GetReference(diff.AsSpan(i * B, B));
                            var mi = TLanes.Broadcast(mu[k * d + i]);
                            for (nuint v = 0; v < B; v += lanes)
                            {
                                TLanes.Store(TLanes.Subtract(TLanes.Load(ref xi, v), mi), ref di, v);
                            }
                        }

                        var uk = u.AsSpan(k * d * d, d * d);
                        for (int c = 0; c < B; c += 4 * TLanes.Count)
                        {
                            var q0 = TLanes.Zero;
                            var q1 = TLanes.Zero;
                            var q2 = TLanes.Zero;
                            var q3 = TLanes.Zero;
                            int j = 0;
                            for (; j + 1 < d; j += 2)
                            {
                                // Columns j and j + 1 of (x - mu) U share the loads of rows 0..j.
                                var y0 = TLanes.Zero; var y1 = TLanes.Zero;
                                var y2 = TLanes.Zero; var y3 = TLanes.Zero;
                                var z0 = TLanes.Zero; var z1 = TLanes.Zero;
                                var z2 = TLanes.Zero; var z3 = TLanes.Zero;
                                for (int i = 0; i <= j; i++)
                                {
                                    var w = TLanes.Broadcast(uk[i * d + j]);
                                    var w2 = TLanes.Broadcast(uk[i * d + j + 1]);
                                    nuint o = (nuint)(i * B + c);
                                    var v0 = TLanes.Load(ref dRef, o);
                                    var v1 = TLanes.Load(ref dRef, o + lanes);
                                    var v2 = TLanes.Load(ref dRef, o + (2 * lanes));
                                    var v3 = TLanes.Load(ref dRef, o + (3 * lanes));
                                    y0 = TLanes.MultiplyAdd(v0, w, y0); z0 = TLanes.MultiplyAdd(v0, w2, z0);
                                    y1 = TLanes.MultiplyAdd(v1, w, y1); z1 = TLanes.MultiplyAdd(v1, w2, z1);
                                    y2 = TLanes.MultiplyAdd(v2, w, y2); z2 = TLanes.MultiplyAdd(v2, w2, z2);
                                    y3 = TLanes.MultiplyAdd(v3, w, y3); z3 = TLanes.MultiplyAdd(v3, w2, z3);
                                }

                                {
                                    var w2 = TLanes.Broadcast(uk[(j + 1) * d + j + 1]);
                                    nuint o = (nuint)((j + 1) * B + c);
                                    z0 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o), w2, z0);
                                    z1 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + lanes), w2, z1);
                                    z2 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (2 * lanes)), w2, z2);
                                    z3 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (3 * lanes)), w2, z3);
                                }

                                q0 = TLanes.MultiplyAdd(y0, y0, q0); q0 = TLanes.MultiplyAdd(z0, z0, q0);
                                q1 = TLanes.MultiplyAdd(y1, y1, q1); q1 = TLanes.MultiplyAdd(z1, z1, q1);
                                q2 = TLanes.MultiplyAdd(y2, y2, q2); q2 = TLanes.MultiplyAdd(z2, z2, q2);
                                q3 = TLanes.MultiplyAdd(y3, y3, q3); q3 = TLanes.MultiplyAdd(z3, z3, q3);
                            }

                            if (j < d)
                            {
                                var y0 = TLanes.Zero; var y1 = TLanes.Zero;
                                var y2 = TLanes.Zero; var y3 = TLanes.Zero;
                                for (int i = 0; i <= j; i++)
                                {
                                    var w = TLanes.Broadcast(uk[i * d + j]);
                                    nuint o = (nuint)(i * B + c);
                                    y0 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o), w, y0);
                                    y1 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + lanes), w, y1);
                                    y2 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (2 * lanes)), w, y2);
                                    y3 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (3 * lanes)), w, y3);
                                }

                                q0 = TLanes.MultiplyAdd(y0, y0, q0);
                                q1 = TLanes.MultiplyAdd(y1, y1, q1);
                                q2 = TLanes.MultiplyAdd(y2, y2, q2);
                                q3 = TLanes.MultiplyAdd(y3, y3, q3);
                            }

                            ref double dst = ref MemoryMarshal.GetReference(output.AsSpan((blk * m + k) * B + c, 4 * TLanes.Count));
                            TLanes.Store(q0, ref dst, 0);
                            TLanes.Store(q1, ref dst, lanes);
                            TLanes.Store(q2, ref dst, 2 * lanes);
                            TLanes.Store(q3, ref dst, 3 * lanes);
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }
}
