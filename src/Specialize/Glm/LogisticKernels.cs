using System;
using System.Numerics;
using ILGPU;
using Specialize.Mixture;

namespace Specialize.Glm;

/// <summary>
/// The fused pass of Newton's method for logistic regression as GPU kernels, over a piece's rows resident in the
/// blocked layout (<see cref="GmmData.BlockedArray"/>: blocks of 64 rows, column-major inside a block): the same
/// formulas, in double, as the processor's pass. Each output is computed by one thread in a fixed order, so the sums do
/// not depend on how the kernels are launched.
/// </summary>
internal static class IlgpuLogisticKernels
{
    private const int B = GmmData.BlockSize;

    /// <summary>
    /// One thread per row (padding included): <c>eta = x . w</c>, the row's log-loss term, <c>mu - y</c> and
    /// <c>s = mu (1 - mu)</c> (into <paramref name="curvature"/>, the responsibilities the Hessian's covariance kernel
    /// reads); all three are 0 for the padding rows from <paramref name="count"/> on.
    /// </summary>
    internal static void Rows<T, TReal>(Index1D index, ArrayView<T> x, ArrayView<double> labels, ArrayView<double> w, ArrayView<T> curvature, ArrayView<double> loss, ArrayView<double> residual, int columns, int count)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int row = index.X, blk = row / B, b = row % B;
        if (row >= count)
        {
            loss[row] = 0;
            residual[row] = 0;
            curvature[row] = T.Zero;
            return;
        }

        double z = 0;
        for (int i = 0; i < columns; i++)
        {
            z += TReal.ToDouble(x[(((blk * columns) + i) * B) + b]) * w[i];
        }

        // With t = exp(-|z|): log(1 + e^z) = max(z, 0) + log1p(t), mu = 1 / (1 + t) or t / (1 + t), mu (1 - mu) = t / (1 + t)^2.
        double label = labels[row];
        double t = Math.Exp(-Math.Abs(z)), onePlus = 1.0 + t;
        loss[row] = Math.Max(z, 0.0) + LogisticBlocks.LogOnePlus(t) - (label * z);
        double mu = z >= 0 ? 1.0 / onePlus : t / onePlus;
        residual[row] = mu - label;
        curvature[row] = TReal.FromDouble(t / (onePlus * onePlus));
    }

    /// <summary>
    /// One thread per (block, output) with <c>1 + columns</c> outputs per block: output 0 the block's log-loss, output
    /// <c>1 + i</c> the block's <c>sum x_i (mu - y)</c>, the block's rows added in order.
    /// </summary>
    internal static void BlockSums<T, TReal>(Index1D index, ArrayView<T> x, ArrayView<double> loss, ArrayView<double> residual, ArrayView<double> partials, int columns)
        where T : unmanaged, INumber<T>
        where TReal : struct, IDeviceReal<T>
    {
        int width = columns + 1;
        int blk = index.X / width, c = index.X % width, first = blk * B;
        double s = 0;
        if (c == 0)
        {
            for (int b = 0; b < B; b++)
            {
                s += loss[first + b];
            }
        }
        else
        {
            int xi = ((blk * columns) + c - 1) * B;
            for (int b = 0; b < B; b++)
            {
                s += TReal.ToDouble(x[xi + b]) * residual[first + b];
            }
        }

        partials[index.X] = s;
    }
}
