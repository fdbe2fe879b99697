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

// CPU Mahalanobis variant Rowwise: one row at a time.
public static partial class GmmKernels
{
    // ---- Mahalanobis: Rowwise -------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisRowwise(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var u = input.PrecisionArray;
        var output = input.OutputArray;
        Parallel.For(0, input.Data.BlockCount, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (blk) =>
        {
            Span<double> row = d <= 256 ? stackalloc double[d] : new double[d];
            for (int b = 0; b < B; b++)
            {
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        row[i] = x[(blk * d + i) * B + b] - mu[k * d + i];
                    }

                    double s = 0;
                    int baseIndex = k * d * d;
                    for (int j = 0; j < d; j++)
                    {
                        double y = 0;
                        for (int i = 0; i <= j; i++)
                        {
                            y += row[i] * u[baseIndex + i * d + j];
                        }

                        s += y * y;
                    }

                    output[(blk * m + k) * B + b] = s;
                }
            }
        });
    }
}
