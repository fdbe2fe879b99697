using System;
using System.Numerics;

namespace Specialize.Variants;

/// <summary>
/// The problem a kernel variant is chosen for: the device, the kernel, the element type, the
/// dimension, the number of components and the power-of-two bucket of the number of rows.
/// </summary>
/// <param name="Device">The device, for example <c>"cpu"</c>.</param>
/// <param name="Kernel">The kernel, for example <c>"gmm.covariance.full"</c>.</param>
/// <param name="DataType">The element type the kernel computes in, for example <c>"float64"</c>.</param>
/// <param name="Dimension">Number of features <c>D</c>.</param>
/// <param name="Components">Number of mixture components <c>M</c>.</param>
/// <param name="RowBucket">The number of rows rounded up to a power of two (see <see cref="RowBucketOf"/>).</param>
public readonly record struct VariantKey(string Device, string Kernel, string DataType, int Dimension, int Components, long RowBucket)
{
    /// <summary>The bucket of a number of rows: the smallest power of two not below it (1 for 0 or 1).</summary>
    /// <param name="rows">Number of rows, non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    public static long RowBucketOf(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return rows <= 1 ? 1 : (long)BitOperations.RoundUpToPowerOf2((ulong)rows);
    }

    /// <summary>The key as one string, as stored in the tuning file.</summary>
    public override string ToString() => $"{Device}/{Kernel}/{DataType}/D={Dimension}/M={Components}/N<={RowBucket}";
}
