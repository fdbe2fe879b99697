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

// CPU Mahalanobis variants Tiled-512 and Tiled-512-Shift: Tiled on 512-bit vectors, centered or on the rows of x.
public static partial class GmmKernels
{
    // ---- Mahalanobis: Tiled-512 -----------------------------------------------------------------

    /// <summary>Relative error in a distance that the shifted form of <c>Tiled-512-Shift</c> may be bounded by; blocks it cannot promise this for are computed centered.</summary>
    private const double ShiftTolerance = 1e-11;

    /// <summary>
    /// <c>Tiled</c> on 512-bit vectors: 32 rows x 4 columns of <c>(x - mu) P</c> per step of the inner loop.
    /// With <paramref name="shifted"/> the centered rows are not materialized: the columns are formed as
    /// <c>x P - mu P</c> (the form scikit-learn uses), with <c>mu P</c> computed once per call. That form
    /// cancels when the rows lie far from the origin compared with their distance from the mean, so per
    /// block and component a rounding-error bound (from the block's largest |x|, the column sums of |P| and
    /// of |mu| |P|) is checked against the smallest distance of the block; where it does not promise a
    /// relative error of <see cref="ShiftTolerance"/>, that block is computed again from the centered rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisTiled512(GmmKernelInput input, bool shifted)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3;
        int groups = de / 4;
        int packedSize = 8 * groups * (groups + 1);
        var u = input.PrecisionArray;
        var packed = PackTriangles(u, d, m, groups, packedSize);
        var mu = input.MeanArray;
        var start = new double[(m + 1) * de]; // -(mu P) per component when shifted, then zeros for the centered form
        var colAbs = new double[m]; // max over j of sum_i |P_ij|
        var colMu = new double[m]; // max over j of sum_i |mu_i| |P_ij|
        if (shifted)
        {
            for (int k = 0; k < m; k++)
            {
                for (int j = 0; j < d; j++)
                {
                    double c = 0, a = 0, am = 0;
                    for (int i = 0; i <= j; i++)
                    {
                        double pij = u[((k * d) + i) * d + j];
                        c += mu[k * d + i] * pij;
                        a += Math.Abs(pij);
                        am += Math.Abs(mu[k * d + i] * pij);
                    }

                    start[k * de + j] = -c;
                    colAbs[k] = Math.Max(colAbs[k], a);
                    colMu[k] = Math.Max(colMu[k], am);
                }
            }
        }

        // Each of the d + 1 roundings of a column's sum (and of mu P) is at most 2^-53 relative to the
        // sum of the magnitudes of its terms; the error of a row's d columns, as a vector, is at most
        // errorScale (A |P| + |mu| |P|) in norm, A the block's largest |x|.
        double errorScale = Math.Sqrt(d) * 2 * (d + 2) * Math.ScaleB(1.0, -53);
        var x = input.Data.BlockedArray;
        var output = input.OutputArray;
        Parallel.For(
            0,
            chunks,
            () => GC.AllocateArray<double>(d * B + 8, pinned: true),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);

                // The centered rows start on a 64-byte boundary (the buffer is pinned), so no 512-bit load of them splits a cache line.
                ref double aligned = ref Unsafe.Add(
                    ref MemoryMarshal.GetArrayDataReference(diff),
                    (int)((64 - (Marshal.UnsafeAddrOfPinnedArrayElement(diff, 0) & 63)) & 63) / sizeof(double));
                ref double zeros = ref start[m * de];
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    ref double xb = ref x[blk * d * B];
                    double largest = 0;
                    if (shifted)
                    {
                        var mx = Vector512<double>.Zero;
                        for (nuint v = 0; v < (nuint)(d * B); v += 8)
                        {
                            mx = Vector512.Max(mx, Vector512.Abs(Vector512.LoadUnsafe(ref xb, v)));
                        }

                        var h = Vector256.Max(mx.GetLower(), mx.GetUpper());
                        largest = Math.Max(Math.Max(h[0], h[1]), Math.Max(h[2], h[3]));
                    }

                    for (int k = 0; k < m; k++)
                    {
                        ref double pk = ref packed[k * packedSize];
                        ref double dst = ref output[(blk * m + k) * B];
                        if (shifted)
                        {
                            ref double sk = ref start[k * de];
                            for (int c = 0; c < B; c += 32)
                            {
                                TiledRows<Tile512, double, Vector512<double>>(ref Unsafe.Add(ref xb, c), ref pk, ref sk, groups, d, ref Unsafe.Add(ref dst, c));
                            }

                            var low = Vector512.Min(
                                Vector512.Min(Vector512.LoadUnsafe(ref dst), Vector512.LoadUnsafe(ref dst, 8)),
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 16), Vector512.LoadUnsafe(ref dst, 24)));
                            low = Vector512.Min(low, Vector512.Min(
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 32), Vector512.LoadUnsafe(ref dst, 40)),
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 48), Vector512.LoadUnsafe(ref dst, 56))));
                            var l4 = Vector256.Min(low.GetLower(), low.GetUpper());
                            double smallest = Math.Min(Math.Min(l4[0], l4[1]), Math.Min(l4[2], l4[3]));
                            double e = errorScale * ((largest * colAbs[k]) + colMu[k]);
                            if ((2 * e * Math.Sqrt(Math.Max(smallest, 0))) + (e * e) <= ShiftTolerance * smallest)
                            {
                                continue;
                            }
                        }

                        for (int i = 0; i < d; i++)
                        {
                            ref double xi = ref Unsafe.Add(ref xb, i * B);
                            ref double di = ref Unsafe.Add(ref aligned, i * B);
                            var mi = Vector512.Create(mu[k * d + i]);
                            for (nuint v = 0; v < B; v += 8)
                            {
                                (Vector512.LoadUnsafe(ref xi, v) - mi).StoreUnsafe(ref di, v);
                            }
                        }

                        for (int c = 0; c < B; c += 32)
                        {
                            TiledRows<Tile512, double, Vector512<double>>(ref Unsafe.Add(ref aligned, c), ref pk, ref zeros, groups, d, ref Unsafe.Add(ref dst, c));
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }

    /// <summary>
    /// Squared norms of 4 vectors of rows (16 rows on 256-bit vectors, 32 on 512-bit) of <c>(x - mu) P</c> from
    /// <paramref name="rows"/> (feature-major, <see cref="B"/> apart): the centered rows, or the rows of x
    /// themselves when <paramref name="start"/> holds <c>-(mu P)</c>; otherwise it holds zeros. Of each group's
    /// last four rows of <c>P</c> (the corner on the diagonal) only the entries on and above the diagonal are
    /// multiplied, and corner rows past <paramref name="d"/> (padding) not at all: for D = 19, 836 vector FMAs
    /// per 4 vectors of rows instead of 960. Sixteen accumulators; every load and broadcast feeds four multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call even where it is not inlined, so trials time the code that will run
    private static void TiledRows<TLanes, T, TVector>(ref T rows, ref T packed, ref T start, int groups, int d, ref T output)
        where TLanes : struct, ITileLanes<T, TVector>
        where T : unmanaged
        where TVector : struct
    {
        nuint lanes = (nuint)TLanes.Count;
        var q0 = TLanes.Zero; var q1 = TLanes.Zero;
        var q2 = TLanes.Zero; var q3 = TLanes.Zero;
        ref T p = ref packed;
        for (int g = 0; g < groups; g++)
        {
            // Each column starts at its start value (0, or -(mu P)_j when rows is x itself).
            ref T s = ref Unsafe.Add(ref start, 4 * g);
            var y00 = TLanes.Broadcast(s); var y01 = TLanes.Broadcast(Unsafe.Add(ref s, 1));
            var y02 = TLanes.Broadcast(Unsafe.Add(ref s, 2)); var y03 = TLanes.Broadcast(Unsafe.Add(ref s, 3));
            var y10 = y00; var y11 = y01; var y12 = y02; var y13 = y03;
            var y20 = y00; var y21 = y01; var y22 = y02; var y23 = y03;
            var y30 = y00; var y31 = y01; var y32 = y02; var y33 = y03;
            // Rows 0 .. 4g of P's column group: every row above the corner, and the corner's first row, have all
            // four columns.
            int full = 4 * g;
            for (int i = 0; i <= full; i++)
            {
                // yRC: the R-th vector of rows (lanes rows each), column 4g + C.
                nuint o = (nuint)(i * B);
                var v0 = TLanes.Load(ref rows, o);
                var v1 = TLanes.Load(ref rows, o + lanes);
                var v2 = TLanes.Load(ref rows, o + (2 * lanes));
                var v3 = TLanes.Load(ref rows, o + (3 * lanes));
                var w = TLanes.Broadcast(p);
                y00 = TLanes.MultiplyAdd(v0, w, y00); y10 = TLanes.MultiplyAdd(v1, w, y10);
                y20 = TLanes.MultiplyAdd(v2, w, y20); y30 = TLanes.MultiplyAdd(v3, w, y30);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 1));
                y01 = TLanes.MultiplyAdd(v0, w, y01); y11 = TLanes.MultiplyAdd(v1, w, y11);
                y21 = TLanes.MultiplyAdd(v2, w, y21); y31 = TLanes.MultiplyAdd(v3, w, y31);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 2));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 3));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
                p = ref Unsafe.Add(ref p, 4);
            }

            // The rest of the corner: row full + c of P is zero left of column c, and rows from d on are padding.
            int corner = Math.Min(4, d - full);
            nuint oc = (nuint)(full * B);
            if (corner > 1)
            {
                oc += B;
                var v0 = TLanes.Load(ref rows, oc);
                var v1 = TLanes.Load(ref rows, oc + lanes);
                var v2 = TLanes.Load(ref rows, oc + (2 * lanes));
                var v3 = TLanes.Load(ref rows, oc + (3 * lanes));
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 1));
                y01 = TLanes.MultiplyAdd(v0, w, y01); y11 = TLanes.MultiplyAdd(v1, w, y11);
                y21 = TLanes.MultiplyAdd(v2, w, y21); y31 = TLanes.MultiplyAdd(v3, w, y31);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 2));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 3));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
            }

            if (corner > 2)
            {
                oc += B;
                var v0 = TLanes.Load(ref rows, oc);
                var v1 = TLanes.Load(ref rows, oc + lanes);
                var v2 = TLanes.Load(ref rows, oc + (2 * lanes));
                var v3 = TLanes.Load(ref rows, oc + (3 * lanes));
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 6));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 7));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
            }

            if (corner > 3)
            {
                oc += B;
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 11));
                y03 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc), w, y03);
                y13 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + lanes), w, y13);
                y23 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + (2 * lanes)), w, y23);
                y33 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + (3 * lanes)), w, y33);
            }

            p = ref Unsafe.Add(ref p, 12);

            q0 = TLanes.MultiplyAdd(y00, y00, q0); q0 = TLanes.MultiplyAdd(y01, y01, q0);
            q0 = TLanes.MultiplyAdd(y02, y02, q0); q0 = TLanes.MultiplyAdd(y03, y03, q0);
            q1 = TLanes.MultiplyAdd(y10, y10, q1); q1 = TLanes.MultiplyAdd(y11, y11, q1);
            q1 = TLanes.MultiplyAdd(y12, y12, q1); q1 = TLanes.MultiplyAdd(y13, y13, q1);
            q2 = TLanes.MultiplyAdd(y20, y20, q2); q2 = TLanes.MultiplyAdd(y21, y21, q2);
            q2 = TLanes.MultiplyAdd(y22, y22, q2); q2 = TLanes.MultiplyAdd(y23, y23, q2);
            q3 = TLanes.MultiplyAdd(y30, y30, q3); q3 = TLanes.MultiplyAdd(y31, y31, q3);
            q3 = TLanes.MultiplyAdd(y32, y32, q3); q3 = TLanes.MultiplyAdd(y33, y33, q3);
        }

        TLanes.Store(q0, ref output, 0);
        TLanes.Store(q1, ref output, lanes);
        TLanes.Store(q2, ref output, 2 * lanes);
        TLanes.Store(q3, ref output, 3 * lanes);
    }
}
