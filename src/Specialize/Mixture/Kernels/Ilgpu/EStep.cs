using System;
using System.Numerics;
using ILGPU;

namespace Specialize.Mixture;

/// <summary>
/// The GPU kernels of the E-step and of the M-step's sums, written once over the element type
/// <c>T</c> (float or double) and compiled by ILGPU for CUDA or run on its CPU accelerator. Layouts are those of
/// the C# kernels (<see cref="GmmKernelInput"/>): rows in blocks of <see cref="GmmData.BlockSize"/>, feature-major
/// within a block; responsibilities and distances at <c>[(blk * M + k) * BlockSize + b]</c>. The log-sum-exp, the
/// responsibilities' normalization and every sum across rows are accumulated in double, in a fixed order, so a
/// result does not depend on how the device schedules threads.
/// </summary>
internal static class IlgpuEStepKernels
{
    private const int B = GmmData.BlockSize;

    /// <summary>The smallest argument passed to exp, as in the C# E-step.</summary>
    private const double ExpFloor = -708;

    /// <summary>
    /// Squared Mahalanobis distance <c>|(x - mu_k) P_k|^2</c> with <c>P_k</c> upper triangular, one thread per
    /// (row, component), indexed like the output (padding rows included).
    /// </summary>
    internal static void Mahalanobis<T>(Index1D index, ArrayView<T> x, ArrayView<T> means, ArrayView<T> chol, ArrayView<T> output, int d, int m)
        where T : unmanaged, INumber<T>
    {
        int at = index.X;
        int b = at % B, blockComponent = at / B;
        int k = blockComponent % m, blk = blockComponent / m;
        int row = (blk * d * B) + b, mean = k * d, factor = k * d * d;
        T s = T.Zero;
        for (int j = 0; j < d; j++)
        {
            T y = T.Zero;
            for (int i = 0; i <= j; i++)
            {
                y += (x[row + (i * B)] - means[mean + i]) * chol[factor + (i * d) + j];
            }

            s += y * y;
        }

        output[at] = s;
    }

    /// <summary>
    /// <c>sum_i (x_i - mu_ki)^2 prec_ki</c> for diagonal precisions (spherical ones repeated over the features),
    /// one thread per (row, component).
    /// </summary>
    internal static void Diagonal<T>(Index1D index, ArrayView<T> x, ArrayView<T> means, ArrayView<T> precisions, ArrayView<T> output, int d, int m)
        where T : unmanaged, INumber<T>
    {
        int at = index.X;
        int b = at % B, blockComponent = at / B;
        int k = blockComponent % m, blk = blockComponent / m;
        int row = (blk * d * B) + b, mean = k * d;
        T s = T.Zero;
        for (int i = 0; i < d; i++)
        {
            T c = x[row + (i * B)] - means[mean + i];
            s += c * c * precisions[mean + i];
        }

        output[at] = s;
    }

    /// <summary>
    /// One thread per row: the distance terms become <c>log w_k + log N(x | mu_k, Sigma_k)</c> (in double), their
    /// log-sum-exp is the row's log-likelihood, and the responsibilities are <c>exp(wlp_k - max) / sum</c>, 0 where
    /// the exponent is below the floor, as in the C# E-step. Padding rows get responsibility 0 and likelihood 0.
    /// </summary>
    internal static void Normalize<T, TReal>(Index1D index, ArrayView<T> distances, ArrayView<T> resp, ArrayView<double> offsets, ArrayView<double> rowLikelihood, int m, double constant, int count)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int row = index.X;
        int first = ((row / B) * m * B) + (row % B);
        if (row >= count)
        {
            for (int k = 0; k < m; k++)
            {
                resp[first + (k * B)] = T.Zero;
            }

            rowLikelihood[row] = 0;
            return;
        }

        double max = double.NegativeInfinity;
        for (int k = 0; k < m; k++)
        {
            double w = (-0.5 * (constant + TReal.ToDouble(distances[first + (k * B)]))) + offsets[k];
            max = k == 0 ? w : Math.Max(max, w);
        }

        double sum = 0;
        for (int k = 0; k < m; k++)
        {
            double w = (-0.5 * (constant + TReal.ToDouble(distances[first + (k * B)]))) + offsets[k];
            double e = Math.Exp(Math.Max(w - max, ExpFloor));
            resp[first + (k * B)] = TReal.FromDouble(e);
            sum += e;
        }

        double inverse = 1.0 / sum;
        for (int k = 0; k < m; k++)
        {
            double w = (-0.5 * (constant + TReal.ToDouble(distances[first + (k * B)]))) + offsets[k];
            resp[first + (k * B)] = w - max > ExpFloor ? TReal.FromDouble(TReal.ToDouble(resp[first + (k * B)]) * inverse) : T.Zero;
        }

        rowLikelihood[row] = Math.Log(sum) + max;
    }

    /// <summary>One thread per block of rows: the block's log-likelihood, its rows added in order.</summary>
    internal static void BlockSums(Index1D index, ArrayView<double> rowLikelihood, ArrayView<double> blockSums)
    {
        int first = index.X * B;
        double total = 0;
        for (int b = 0; b < B; b++)
        {
            total += rowLikelihood[first + b];
        }

        blockSums[index.X] = total;
    }

    /// <summary>
    /// The M-step's sums over one chunk of <paramref name="chunkBlocks"/> blocks, one thread per (chunk, column):
    /// columns <c>[0, M)</c> sum the responsibilities, <c>[M, M + M D)</c> sum <c>r x</c>, and when <paramref name="columns"/> has room
    /// for them, <c>[M + M D, M + 2 M D)</c> sum <c>r x^2</c>.
    /// </summary>
    internal static void ChunkSums<T, TReal>(Index1D index, ArrayView<T> x, ArrayView<T> resp, ArrayView<double> partials, int d, int m, int blocks, int chunkBlocks, int columns)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int chunk = index.X / columns, c = index.X % columns;
        int first = chunk * chunkBlocks, end = Math.Min(blocks, first + chunkBlocks);
        int md = m * d;
        double s = 0;
        if (c < m)
        {
            for (int blk = first; blk < end; blk++)
            {
                int r = ((blk * m) + c) * B;
                for (int b = 0; b < B; b++)
                {
                    s += TReal.ToDouble(resp[r + b]);
                }
            }
        }
        else
        {
            int square = c >= m + md ? 1 : 0;
            int kc = c - m - (square * md);
            int k = kc / d, i = kc % d;
            for (int blk = first; blk < end; blk++)
            {
                int r = ((blk * m) + k) * B, xi = ((blk * d) + i) * B;
                for (int b = 0; b < B; b++)
                {
                    T v = x[xi + b];
                    T t = resp[r + b] * v;
                    s += TReal.ToDouble(square == 1 ? t * v : t);
                }
            }
        }

        partials[index.X] = s;
    }

    /// <summary>One thread per column: the chunks' partial sums added in chunk order.</summary>
    internal static void ReduceChunks(Index1D index, ArrayView<double> partials, ArrayView<double> sums, int columns, int chunks)
    {
        double s = 0;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            s += partials[(chunk * columns) + index.X];
        }

        sums[index.X] = s;
    }
}
