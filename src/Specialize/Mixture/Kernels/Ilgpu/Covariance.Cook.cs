using System;
using System.Numerics;
using ILGPU;

namespace Specialize.Mixture;

/// <summary>
/// The covariance variants of Cook et al. as GPU kernels, written once over the element type: each computes,
/// for every component <c>k</c> and cell <c>c = (i, j)</c> of the upper triangle (<c>pairs</c> holds
/// <c>i, j</c> for each cell), <c>sum_n r_nk (x_ni - mu_ki)(x_nj - mu_kj)</c> into <c>output[k * P + c]</c> in
/// double; the host divides by the component's weight. Sums run in a fixed order for a given group size.
/// </summary>
internal static class IlgpuCovarianceCook
{
    private const int B = GmmData.BlockSize;

    /// <summary>Most threads per group the kernels with a shared-memory reduction are launched with.</summary>
    internal const int MaxGroupSize = 256;

    /// <summary>
    /// V1: one group per (component, cell), its threads striding over the rows; the group's partial sums are
    /// added in shared memory by a tree of halving strides (the group size is a power of two).
    /// </summary>
    internal static void V1<T, TReal>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, ArrayView<double> output, int d, int m, int p, int rows)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        int k = Grid.IdxX / p, c = Grid.IdxX % p;
        double s = TReal.ToDouble(CellSum<T>(x, resp, means, pairs, d, m, k, c, Group.IdxX, Group.DimX, rows));
        output[(k * p) + c] = GroupSum(shared, s);
    }

    /// <summary>V2: one group per cell, computing it for every component in turn.</summary>
    internal static void V2<T, TReal>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, ArrayView<double> output, int d, int m, int p, int rows)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        int c = Grid.IdxX;
        for (int k = 0; k < m; k++)
        {
            double s = TReal.ToDouble(CellSum<T>(x, resp, means, pairs, d, m, k, c, Group.IdxX, Group.DimX, rows));
            double total = GroupSum(shared, s);
            if (Group.IdxX == 0)
            {
                output[(k * p) + c] = total;
            }

            Group.Barrier();
        }
    }

    /// <summary>V3: one group per component; each thread computes whole cells, looping over every row.</summary>
    internal static void V3<T, TReal>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, ArrayView<double> output, int d, int m, int p, int rows)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int k = Grid.IdxX;
        for (int c = Group.IdxX; c < p; c += Group.DimX)
        {
            output[(k * p) + c] = TReal.ToDouble(CellSum<T>(x, resp, means, pairs, d, m, k, c, 0, 1, rows));
        }
    }

    /// <summary>
    /// V4-B: one group per (component, piece of the rows), <paramref name="pieces"/> pieces of whole blocks; each
    /// thread computes whole cells over its group's rows into <c>partials[(k * pieces + piece) * P + c]</c>, which
    /// <see cref="ReducePieces"/> then adds in piece order.
    /// </summary>
    internal static void V4<T, TReal>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, ArrayView<double> partials, int d, int m, int p, int blocks, int pieces)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int k = Grid.IdxX / pieces, piece = Grid.IdxX % pieces;
        int first = (int)((long)piece * blocks / pieces), end = (int)((long)(piece + 1) * blocks / pieces);
        for (int c = Group.IdxX; c < p; c += Group.DimX)
        {
            double s = 0;
            for (int blk = first; blk < end; blk++)
            {
                s += TReal.ToDouble(CellSum<T>(x, resp, means, pairs, d, m, k, c, blk * B, 1, (blk + 1) * B));
            }

            partials[(Grid.IdxX * p) + c] = s;
        }
    }

    /// <summary>One thread per (component, cell): the pieces' partial sums of <see cref="V4{T, TReal}"/>, added in order.</summary>
    internal static void ReducePieces(Index1D index, ArrayView<double> partials, ArrayView<double> output, int p, int pieces)
    {
        int k = index.X / p, c = index.X % p;
        double s = 0;
        for (int piece = 0; piece < pieces; piece++)
        {
            s += partials[(((k * pieces) + piece) * p) + c];
        }

        output[index.X] = s;
    }

    /// <summary><c>sum r_nk (x_ni - mu_ki)(x_nj - mu_kj)</c> over rows <c>first, first + step, ...</c> below <paramref name="rows"/>.</summary>
    private static T CellSum<T>(ArrayView<T> x, ArrayView<T> resp, ArrayView<T> means, ArrayView<int> pairs, int d, int m, int k, int c, int first, int step, int rows)
        where T : unmanaged, INumber<T>
    {
        int i = pairs[2 * c], j = pairs[(2 * c) + 1];
        T mi = means[(k * d) + i], mj = means[(k * d) + j];
        T s = T.Zero;
        for (int n = first; n < rows; n += step)
        {
            int blk = n / B, b = n % B;
            s += resp[(((blk * m) + k) * B) + b] * (x[(((blk * d) + i) * B) + b] - mi) * (x[(((blk * d) + j) * B) + b] - mj);
        }

        return s;
    }

    /// <summary>The sum of every thread's <paramref name="value"/> in the group (valid in thread 0), by halving strides.</summary>
    private static double GroupSum(ArrayView<double> shared, double value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int stride = Group.DimX / 2; stride > 0; stride /= 2)
        {
            if (t < stride)
            {
                shared[t] += shared[t + stride];
            }

            Group.Barrier();
        }

        return shared[0];
    }
}
