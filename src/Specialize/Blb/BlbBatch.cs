using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Specialize;

/// <summary>
/// Helpers of the batched weighted estimators that the generator emits (<c>EstimateWeightedBatch</c>): one pass
/// over a subsample's rows computes each row's terms once and adds them, scaled by each bootstrap's weight of
/// the row, into per-bootstrap accumulators.
/// </summary>
/// <remarks>
/// The weights of a batch of <c>count</c> bootstraps over <c>b</c> rows are laid out row by row:
/// <c>weights[row * count + k]</c> is the weight of subsample row <c>row</c> in bootstrap <c>k</c>, so that the
/// bootstraps of one row are contiguous, like the accumulators (<c>accumulator[index * count + k]</c>).
/// </remarks>
public static class BlbBatch
{
    /// <summary>
    /// Adds <c>weights[k] * term</c> to <c>accumulators[k]</c> for every <c>k</c> with a nonzero weight, leaving the
    /// others untouched: the same result, bit for bit and in every position, as the weighted loop's
    /// <c>accumulator += weight * term</c> for each bootstrap on its own, which skips rows of weight zero.
    /// </summary>
    /// <param name="accumulators">One accumulator per bootstrap.</param>
    /// <param name="weights">One weight per bootstrap (whole numbers as <see cref="double"/>); at least as long as <paramref name="accumulators"/>.</param>
    /// <param name="term">The row's term.</param>
    /// <exception cref="ArgumentException"><paramref name="weights"/> is shorter than <paramref name="accumulators"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<double> accumulators, ReadOnlySpan<double> weights, double term)
    {
        if (weights.Length < accumulators.Length)
        {
            ThrowWeightsTooShort(weights.Length, accumulators.Length);
        }
        ref double acc = ref MemoryMarshal.GetReference(accumulators);
        ref double w = ref MemoryMarshal.GetReference(weights);
        int length = accumulators.Length;
        int k = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<double>.Count)
        {
            // Multiply, then add: two roundings, as in the scalar loop (no fused multiply-add), so a bootstrap's
            // value does not depend on whether it lands in a vector or in the tail.
            var terms = new Vector<double>(term);
            for (; k <= length - Vector<double>.Count; k += Vector<double>.Count)
            {
                Vector<double> wv = Vector.LoadUnsafe(ref w, (nuint)k);
                Vector<double> av = Vector.LoadUnsafe(ref acc, (nuint)k);
                Vector<double> sum = av + (wv * terms);
                Vector.ConditionalSelect(Vector.Equals(wv, Vector<double>.Zero), av, sum).StoreUnsafe(ref acc, (nuint)k);
            }
        }
        for (; k < length; k++)
        {
            double wk = Unsafe.Add(ref w, k);
            if (wk != 0)
            {
                Unsafe.Add(ref acc, k) += wk * term;
            }
        }
    }

    /// <summary>Copies integer weights into <paramref name="destination"/> as <see cref="double"/> (exactly).</summary>
    /// <param name="weights">The weights.</param>
    /// <param name="destination">At least as long as <paramref name="weights"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="weights"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToDouble(ReadOnlySpan<int> weights, Span<double> destination)
    {
        if (destination.Length < weights.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {weights.Length} are needed.", nameof(destination));
        }
        for (int k = 0; k < weights.Length; k++)
        {
            destination[k] = weights[k];
        }
    }

    /// <summary>
    /// Checks the arguments of a batched estimator call; generated <c>EstimateWeightedBatch</c> methods call it first.
    /// </summary>
    /// <param name="rows">Number of subsample rows (<see cref="BlbSample.Count"/>).</param>
    /// <param name="weights">Length of the weights, which must be <paramref name="rows"/> times <paramref name="count"/>.</param>
    /// <param name="count">Number of bootstraps; at least 1.</param>
    /// <param name="results">Length of the results, at least <paramref name="count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The weights or results have the wrong length.</exception>
    public static void ThrowIfInvalid(int rows, int weights, int count, int results)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if ((long)rows * count != weights)
        {
            throw new ArgumentException($"A batch of {count} bootstraps over {rows} rows needs {(long)rows * count} weights (row by row, the bootstraps of a row together); got {weights}.", nameof(weights));
        }
        if (results < count)
        {
            throw new ArgumentException($"There must be room for {count} results; got {results}.", nameof(results));
        }
    }

    private static void ThrowWeightsTooShort(int weights, int accumulators) =>
        throw new ArgumentException($"There are {accumulators} accumulators but only {weights} weights.", nameof(weights));
}
