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

// CPU covariance variant Syrk-Rows: the Syrk product with rows in row-major order.
public static partial class GmmKernels
{
    // ---- covariance: Syrk-Rows -------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrkRows(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int width = Vector256<double>.Count;
        int de = (d + width - 1) / width * width; // row stride, padded with zero columns
        int rowSize = d * de;
        var partials = new double[chunks * m * rowSize];
        var rows = input.Data.RowArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray;
        Parallel.For(
            0,
            chunks,
            () => (Diff: new double[B * de], Scaled: new double[(B * de) + 1]), // + 1: the odd last row's partner reads one past
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                var diff = scratch.Diff;
                var scaled = scratch.Scaled;
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                for (int k = 0; k < m; k++)
                {
                    var acc = partials.AsSpan((chunk * m + k) * rowSize, rowSize);
                    var muK = mu.AsSpan(k * d, d);
                    for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                    {
                        int count = input.Data.RowsInBlock(blk);
                        var rk = r.AsSpan((blk * m + k) * B, B);
                        for (int b = 0; b < count; b++)
                        {
                            var row = rows.AsSpan((blk * B + b) * d, d);
                            var dRow = diff.AsSpan(b * de, d);
                            var sRow = scaled.AsSpan(b * de, d);
                            TensorPrimitives.Subtract(row, muK, dRow);
                            TensorPrimitives.Multiply(dRow, rk[b], sRow);
                        }

                        RowTiles(diff, scaled, count, d, de, acc);
                    }
                }

                return scratch;
            },
            static _ => { });

        var packed = new double[d * (d + 1) / 2];
        for (int k = 0; k < m; k++)
        {
            int q = 0;
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    double sum = 0;
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        sum += partials[(chunk * m + k) * rowSize + i * de + j];
                    }

                    packed[q++] = sum;
                }
            }

            StoreMatrix(input, k, packed);
        }
    }

    /// <summary>
    /// acc[i, j..] += sum_b scaled[b, i] * diff[b, j..] for j from the vector holding column i onwards:
    /// two rows of the result at a time, up to four vectors of columns per pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTiles(double[] diff, double[] scaled, int count, int d, int de, Span<double> acc)
    {
        const int W = 4; // Vector256<double>.Count
        ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
        ref double sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i < d; i += 2)
        {
            bool pair = i + 1 < d;
            for (int j = i / W * W; j < de; j += 4 * W)
            {
                int vectors = Math.Min(4, (de - j) / W);
                var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero; var a2 = Vector256<double>.Zero; var a3 = Vector256<double>.Zero;
                var c0 = Vector256<double>.Zero; var c1 = Vector256<double>.Zero; var c2 = Vector256<double>.Zero; var c3 = Vector256<double>.Zero;
                if (vectors == 4)
                {
                    for (int b = 0; b < count; b++)
                    {
                        nuint o = (nuint)(b * de + j);
                        var e0 = Vector256.LoadUnsafe(ref dRef, o);
                        var e1 = Vector256.LoadUnsafe(ref dRef, o + 4);
                        var e2 = Vector256.LoadUnsafe(ref dRef, o + 8);
                        var e3 = Vector256.LoadUnsafe(ref dRef, o + 12);
                        var s0 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i));
                        var s1 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i + 1)); // padding column when i + 1 == d
                        a0 = Vector256.FusedMultiplyAdd(s0, e0, a0); a1 = Vector256.FusedMultiplyAdd(s0, e1, a1);
                        a2 = Vector256.FusedMultiplyAdd(s0, e2, a2); a3 = Vector256.FusedMultiplyAdd(s0, e3, a3);
                        c0 = Vector256.FusedMultiplyAdd(s1, e0, c0); c1 = Vector256.FusedMultiplyAdd(s1, e1, c1);
                        c2 = Vector256.FusedMultiplyAdd(s1, e2, c2); c3 = Vector256.FusedMultiplyAdd(s1, e3, c3);
                    }
                }
                else
                {
                    for (int b = 0; b < count; b++)
                    {
                        nuint o = (nuint)(b * de + j);
                        var s0 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i));
                        var s1 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i + 1));
                        var e0 = Vector256.LoadUnsafe(ref dRef, o);
                        a0 = Vector256.FusedMultiplyAdd(s0, e0, a0);
                        c0 = Vector256.FusedMultiplyAdd(s1, e0, c0);
                        if (vectors > 1)
                        {
                            var e1 = Vector256.LoadUnsafe(ref dRef, o + 4);
                            a1 = Vector256.FusedMultiplyAdd(s0, e1, a1);
                            c1 = Vector256.FusedMultiplyAdd(s1, e1, c1);
                        }

                        if (vectors > 2)
                        {
                            var e2 = Vector256.LoadUnsafe(ref dRef, o + 8);
                            a2 = Vector256.FusedMultiplyAdd(s0, e2, a2);
                            c2 = Vector256.FusedMultiplyAdd(s1, e2, c2);
                        }
                    }
                }

                AddTo(ref aRef, i * de + j, vectors, a0, a1, a2, a3);
                if (pair)
                {
                    AddTo(ref aRef, (i + 1) * de + j, vectors, c0, c1, c2, c3);
                }
            }
        }
    }

    private static void AddTo(ref double target, int offset, int vectors, Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        nuint o = (nuint)offset;
        (Vector256.LoadUnsafe(ref target, o) + v0).StoreUnsafe(ref target, o);
        if (vectors > 1)
        {
            (Vector256.LoadUnsafe(ref target, o + 4) + v1).StoreUnsafe(ref target, o + 4);
        }

        if (vectors > 2)
        {
            (Vector256.LoadUnsafe(ref target, o + 8) + v2).StoreUnsafe(ref target, o + 8);
        }

        if (vectors > 3)
        {
            (Vector256.LoadUnsafe(ref target, o + 12) + v3).StoreUnsafe(ref target, o + 12);
        }
    }
}
