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

// CPU covariance variants after Cook et al.: V1, V2, V3, V4-B32 and V4-B128.
public static partial class GmmKernels
{
    // ---- covariance: V1 -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV1(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        var (pi, pj) = Pairs(d);
        Parallel.For(0, m * p, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (cell) =>
        {
            int k = cell / p, i = pi[cell % p], j = pj[cell % p];
            double s = CellSum(input, k, i, j, 0, input.Data.BlockCount);
            Store(input, k, i, j, s);
        });
    }

    // ---- covariance: V2 -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV2(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        var (pi, pj) = Pairs(d);
        Parallel.For(0, p, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (cell) =>
        {
            int i = pi[cell], j = pj[cell];
            var acc = new Vector256<double>[m];
            var x = input.Data.BlockedArray;
            var r = input.ResponsibilityArray;
            var mu = input.MeanArray;
            for (int blk = 0; blk < input.Data.BlockCount; blk++)
            {
                var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                var xj = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + j) * B, B));
                for (int k = 0; k < m; k++)
                {
                    var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
                    var mi = Vector256.Create(mu[k * d + i]);
                    var mj = Vector256.Create(mu[k * d + j]);
                    var a = acc[k];
                    for (int v = 0; v < rk.Length; v++)
                    {
                        a = Vector256.FusedMultiplyAdd(rk[v] * (xi[v] - mi), xj[v] - mj, a);
                    }

                    acc[k] = a;
                }
            }

            for (int k = 0; k < m; k++)
            {
                Store(input, k, i, j, Vector256.Sum(acc[k]));
            }
        });
    }

    // ---- covariance: V3 and V4 ------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV3(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        Parallel.For(0, m, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (k) =>
        {
            var partial = new double[p];
            AccumulateMatrix(input, k, 0, input.Data.BlockCount, partial);
            StoreMatrix(input, k, partial);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV4(GmmKernelInput input, int pieces)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        int blocks = input.Data.BlockCount;
        pieces = Math.Min(pieces, blocks);
        var partials = new double[m * pieces * p];
        Parallel.For(0, m * pieces, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item) =>
        {
            int k = item / pieces, piece = item % pieces;
            int start = (int)((long)piece * blocks / pieces), end = (int)((long)(piece + 1) * blocks / pieces);
            AccumulateMatrix(input, k, start, end, partials.AsSpan(item * p, p));
        });

        var sum = new double[p];
        for (int k = 0; k < m; k++)
        {
            Array.Clear(sum);
            for (int piece = 0; piece < pieces; piece++)
            {
                var part = partials.AsSpan((k * pieces + piece) * p, p);
                for (int c = 0; c < p; c++)
                {
                    sum[c] += part[c];
                }
            }

            StoreMatrix(input, k, sum);
        }
    }

    /// <summary>Upper triangle (packed by rows) of sum r (x - mu)(x - mu)^T for component k over blocks [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateMatrix(GmmKernelInput input, int k, int start, int end, Span<double> packed)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray.AsSpan(k * d, d);
        var diff = new double[d * B];
        var scaled = new double[d * B];
        packed.Clear();
        for (int blk = start; blk < end; blk++)
        {
            var rk = r.AsSpan((blk * m + k) * B, B);
            for (int i = 0; i < d; i++)
            {
                var xi = x.AsSpan((blk * d + i) * B, B);
                var di = diff.AsSpan(i * B, B);
                var si = scaled.AsSpan(i * B, B);
                for (int b = 0; b < B; b++)
                {
                    di[b] = xi[b] - mu[i];
                    si[b] = rk[b] * di[b];
                }
            }

            int c = 0;
            for (int i = 0; i < d; i++)
            {
                var si = MemoryMarshal.Cast<double, Vector256<double>>(scaled.AsSpan(i * B, B));
                for (int j = i; j < d; j++)
                {
                    var dj = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(j * B, B));
                    var a0 = Vector256<double>.Zero;
                    var a1 = Vector256<double>.Zero;
                    for (int v = 0; v < si.Length; v += 2)
                    {
                        a0 = Vector256.FusedMultiplyAdd(si[v], dj[v], a0);
                        a1 = Vector256.FusedMultiplyAdd(si[v + 1], dj[v + 1], a1);
                    }

                    packed[c++] += Vector256.Sum(a0 + a1);
                }
            }
        }
    }
}
