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

// CPU covariance variant Syrk (and Syrk-512): 4 x 4 register tiles of the responsibility-scaled centered rows, block by block.
public static partial class GmmKernels
{
    // ---- covariance: Syrk -----------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrk(GmmKernelInput input) => CovarianceSyrk(input, wide: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrk(GmmKernelInput input, bool wide)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3; // a multiple of 4, so that 4 x 4 tiles cover the matrix
        int dd = de * de;
        var partials = new double[chunks * m * dd];
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray;
        Parallel.For(
            0,
            chunks,
            () => (Diff: new double[de * B], Scaled: new double[de * B]),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                var diff = scratch.Diff;
                var scaled = scratch.Scaled;
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                for (int k = 0; k < m; k++)
                {
                    var acc = partials.AsSpan((chunk * m + k) * dd, dd);
                    for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                    {
                        var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
                        for (int i = 0; i < d; i++)
                        {
                            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                            var di = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(i * B, B));
                            var si = MemoryMarshal.Cast<double, Vector256<double>>(scaled.AsSpan(i * B, B));
                            var mi = Vector256.Create(mu[k * d + i]);
                            for (int v = 0; v < di.Length; v++)
                            {
                                var t = xi[v] - mi;
                                di[v] = t;
                                si[v] = rk[v] * t;
                            }
                        }

                        if (wide)
                        {
                            SyrkTiles<Tile512, Vector512<double>>(diff, scaled, de, acc);
                        }
                        else
                        {
                            SyrkTiles<Tile256, Vector256<double>>(diff, scaled, de, acc);
                        }
                    }
                }

                return scratch;
            },
            static _ => { });

        var sum = new double[dd];
        var packed = new double[d * (d + 1) / 2];
        for (int k = 0; k < m; k++)
        {
            Array.Clear(sum);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                var part = partials.AsSpan((chunk * m + k) * dd, dd);
                for (int c = 0; c < dd; c++)
                {
                    sum[c] += part[c];
                }
            }

            int q = 0;
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    packed[q++] = sum[i * de + j];
                }
            }

            StoreMatrix(input, k, packed);
        }
    }

    /// <summary>
    /// acc[i, j] += scaled_i . diff_j over one block, for the 4 x 4 tiles on and above the diagonal
    /// (16 accumulators: 8 loads feed 16 FMAs), on 256- or 512-bit vectors (<typeparamref name="TLanes"/>),
    /// whose lanes are added down to four for the sums. Padding features are zero in both buffers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SyrkTiles<TLanes, TVector>(double[] diff, double[] scaled, int de, Span<double> acc)
        where TLanes : struct, ITileLanes<double, TVector>
        where TVector : struct
    {
        nuint lanes = (nuint)TLanes.Count;
        ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
        ref double sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        if (acc.Length < de * de)
        {
            throw new ArgumentException($"The accumulator needs {de * de} entries; it has {acc.Length}.", nameof(acc));
        }
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i < de; i += 4)
        {
            for (int j = i; j < de; j += 4)
            {
                var a00 = TLanes.Zero; var a01 = TLanes.Zero; var a02 = TLanes.Zero; var a03 = TLanes.Zero;
                var a10 = TLanes.Zero; var a11 = TLanes.Zero; var a12 = TLanes.Zero; var a13 = TLanes.Zero;
                var a20 = TLanes.Zero; var a21 = TLanes.Zero; var a22 = TLanes.Zero; var a23 = TLanes.Zero;
                var a30 = TLanes.Zero; var a31 = TLanes.Zero; var a32 = TLanes.Zero; var a33 = TLanes.Zero;
                for (nuint b = 0; b < B; b += lanes)
                {
                    var e0 = TLanes.Load(ref dRef, (nuint)(j * B) + b);
                    var e1 = TLanes.Load(ref dRef, (nuint)((j + 1) * B) + b);
                    var e2 = TLanes.Load(ref dRef, (nuint)((j + 2) * B) + b);
                    var e3 = TLanes.Load(ref dRef, (nuint)((j + 3) * B) + b);
                    var s = TLanes.Load(ref sRef, (nuint)(i * B) + b);
                    a00 = TLanes.MultiplyAdd(s, e0, a00); a01 = TLanes.MultiplyAdd(s, e1, a01);
                    a02 = TLanes.MultiplyAdd(s, e2, a02); a03 = TLanes.MultiplyAdd(s, e3, a03);
                    s = TLanes.Load(ref sRef, (nuint)((i + 1) * B) + b);
                    a10 = TLanes.MultiplyAdd(s, e0, a10); a11 = TLanes.MultiplyAdd(s, e1, a11);
                    a12 = TLanes.MultiplyAdd(s, e2, a12); a13 = TLanes.MultiplyAdd(s, e3, a13);
                    s = TLanes.Load(ref sRef, (nuint)((i + 2) * B) + b);
                    a20 = TLanes.MultiplyAdd(s, e0, a20); a21 = TLanes.MultiplyAdd(s, e1, a21);
                    a22 = TLanes.MultiplyAdd(s, e2, a22); a23 = TLanes.MultiplyAdd(s, e3, a23);
                    s = TLanes.Load(ref sRef, (nuint)((i + 3) * B) + b);
                    a30 = TLanes.MultiplyAdd(s, e0, a30); a31 = TLanes.MultiplyAdd(s, e1, a31);
                    a32 = TLanes.MultiplyAdd(s, e2, a32); a33 = TLanes.MultiplyAdd(s, e3, a33);
                }

                ref double row0 = ref Unsafe.Add(ref aRef, (i * de) + j);
                AddSums(ref row0, TLanes.Fold(a00), TLanes.Fold(a01), TLanes.Fold(a02), TLanes.Fold(a03));
                AddSums(ref Unsafe.Add(ref row0, de), TLanes.Fold(a10), TLanes.Fold(a11), TLanes.Fold(a12), TLanes.Fold(a13));
                AddSums(ref Unsafe.Add(ref row0, 2 * de), TLanes.Fold(a20), TLanes.Fold(a21), TLanes.Fold(a22), TLanes.Fold(a23));
                AddSums(ref Unsafe.Add(ref row0, 3 * de), TLanes.Fold(a30), TLanes.Fold(a31), TLanes.Fold(a32), TLanes.Fold(a33));
            }
        }
    }

    /// <summary>target[0..4] += (sum a, sum b, sum c, sum d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums(ref double target, Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        if (!Avx.IsSupported)
        {
            target += Vector256.Sum(a);
            Unsafe.Add(ref target, 1) += Vector256.Sum(b);
            Unsafe.Add(ref target, 2) += Vector256.Sum(c);
            Unsafe.Add(ref target, 3) += Vector256.Sum(d);
            return;
        }

        var ab = Avx.HorizontalAdd(a, b); // a0+a1, b0+b1, a2+a3, b2+b3
        var cd = Avx.HorizontalAdd(c, d);
        var sums = Avx.Permute2x128(ab, cd, 0x20) + Avx.Permute2x128(ab, cd, 0x31);
        (Vector256.LoadUnsafe(ref target) + sums).StoreUnsafe(ref target);
    }
}
