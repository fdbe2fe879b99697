using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Specialize.Futures;

/// <summary>
/// What one call site has measured: the recent costs of its calls, by size class. The site asks it
/// for the smallest size that pays for a spawn, read straight from the measurements, so that the
/// answer holds for any cost curve that grows with size (linear, n log n, cubic, exponential), not
/// only for the straight line a cost per unit of size assumes.
/// </summary>
/// <remarks>
/// <para>
/// Sizes 0 to 31 are classes of their own (an integer argument such as Fib's <c>n</c> can multiply
/// the work by a constant factor per unit); above that, each octave of sizes is split in two. A
/// class keeps its last four costs.
/// </para>
/// <para>
/// Timing noise only ever adds time (a preempted thread, a garbage collection, compiling code on
/// first use), so a cheap measurement is believed and an expensive one needs company. A class pays
/// when every cost it keeps reaches the target. Walking down from the largest class measured, the
/// first class that does not pay ends the walk: no size at or below it is spawned, so a cheap call
/// at a larger size overrules any number of slow ones below it. The smallest paying class above it
/// is the threshold, once at least two measurements there and above reached the target: one slow
/// measurement alone never makes a site spawn.
/// </para>
/// <para>Not thread-safe: the site serializes <see cref="Add"/> and the queries.</para>
/// </remarks>
internal sealed class CostCurve
{
    /// <summary>Sizes below this are a class each.</summary>
    internal const int ExactSizes = 32;

    /// <summary>Classes: the exact sizes, then two per octave up to <see cref="long.MaxValue"/>.</summary>
    internal const int Classes = ExactSizes + (2 * (63 - 5));

    /// <summary>Recent costs kept per class.</summary>
    internal const int Kept = 4;

    /// <summary>Paying measurements needed before anything is spawned.</summary>
    internal const int PayingNeeded = 2;

    private readonly float[] costs = new float[Classes * Kept];
    private readonly int[] counts = new int[Classes];
    private int highest = -1;
    private long largestSize = -1;

    /// <summary>The largest size measured so far (-1 before the first).</summary>
    public long LargestSize => largestSize;

    /// <summary>The class of a size (negative sizes count as 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int ClassOf(long size)
    {
        if (size < ExactSizes)
        {
            return size < 0 ? 0 : (int)size;
        }

        int octave = BitOperations.Log2((ulong)size);
        int half = (int)((size >> (octave - 1)) & 1);
        return ExactSizes + (2 * (octave - 5)) + half;
    }

    /// <summary>The smallest size in a class.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long LowerBound(int sizeClass)
    {
        if (sizeClass < ExactSizes)
        {
            return sizeClass;
        }

        int octave = 5 + ((sizeClass - ExactSizes) / 2);
        long lower = 1L << octave;
        return (sizeClass - ExactSizes) % 2 == 0 ? lower : lower + (lower >> 1);
    }

    /// <summary>Adds one measured call: its size feature and what it cost.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(long size, double nanoseconds)
    {
        int c = ClassOf(size);
        costs[(c * Kept) + (counts[c] % Kept)] = (float)Math.Max(nanoseconds, 0);
        counts[c] = counts[c] < 1 << 30 ? counts[c] + 1 : Kept + ((counts[c] + 1) % Kept);
        highest = Math.Max(highest, c);
        largestSize = Math.Max(largestSize, Math.Max(size, 0));
    }

    /// <summary>
    /// The smallest size whose calls pay for a spawn, for a spawn worth <paramref name="target"/>
    /// nanoseconds of work; <see cref="long.MaxValue"/> while no size has been seen to pay.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long SpawnThreshold(double target)
    {
        int paying = 0;
        int lowest = -1;
        for (int c = highest; c >= 0; c--)
        {
            int held = Math.Min(counts[c], Kept);
            if (held == 0)
            {
                continue;
            }

            if (Reached(c, held, target) < held)
            {
                break;
            }

            paying += held;
            lowest = c;
        }

        return paying >= PayingNeeded ? LowerBound(lowest) : long.MaxValue;
    }

    /// <summary>
    /// The smallest size above the largest class whose measurements mostly stay below
    /// <paramref name="cost"/> (calls from there up are worth timing more often); 0 when no
    /// measured class does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long SizeReaching(double cost)
    {
        for (int c = highest; c >= 0; c--)
        {
            int held = Math.Min(counts[c], Kept);
            if (held > 0 && 2 * Reached(c, held, cost) < held)
            {
                return c + 1 < Classes ? LowerBound(c + 1) : long.MaxValue;
            }
        }

        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Reached(int sizeClass, int held, double cost)
    {
        int reached = 0;
        for (int i = 0; i < held; i++)
        {
            reached += costs[(sizeClass * Kept) + i] >= cost ? 1 : 0;
        }

        return reached;
    }
}
