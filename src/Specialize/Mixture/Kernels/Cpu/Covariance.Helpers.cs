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

// Helpers the CPU covariance variants share: cell sums, the pairs of the upper triangle, storing results.
public static partial class GmmKernels
{
    // ---- covariance helpers ---------------------------------------------------------------------

    private static double CellSum(GmmKernelInput input, int k, int i, int j, int start, int end)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mi = Vector256.Create(input.MeanArray[k * d + i]);
        var mj = Vector256.Create(input.MeanArray[k * d + j]);
        var acc = Vector256<double>.Zero;
        for (int blk = start; blk < end; blk++)
        {
            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
            var xj = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + j) * B, B));
            var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
            for (int v = 0; v < rk.Length; v++)
            {
                acc = Vector256.FusedMultiplyAdd(rk[v] * (xi[v] - mi), xj[v] - mj, acc);
            }
        }

        return Vector256.Sum(acc);
    }

    private static (int[] I, int[] J) Pairs(int d)
    {
        int p = d * (d + 1) / 2;
        var pi = new int[p];
        var pj = new int[p];
        int c = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                pi[c] = i;
                pj[c] = j;
                c++;
            }
        }

        return (pi, pj);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(GmmKernelInput input, int k, int i, int j, double sum)
    {
        int d = input.Data.Dimension;
        double v = sum / input.WeightArray[k];
        input.OutputArray[(k * d + i) * d + j] = v;
        input.OutputArray[(k * d + j) * d + i] = v;
    }

    private static void StoreMatrix(GmmKernelInput input, int k, ReadOnlySpan<double> packed)
    {
        int d = input.Data.Dimension, c = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                Store(input, k, i, j, packed[c++]);
            }
        }
    }
}
