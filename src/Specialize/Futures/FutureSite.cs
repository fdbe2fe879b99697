using System;
using System.Diagnostics;
using System.Threading;

namespace Specialize.Futures;

/// <summary>
/// One call site that a generated twin may run as a future, with the cost model learned for it.
/// The generator picks a size feature for the call (an array or collection length, or an integer
/// argument); the site learns the call's cost per unit of that size from timed inline runs and
/// spawns only when the predicted work is well above what spawning costs.
/// </summary>
public sealed class FutureSite
{
    // The first calls are always timed; after that one call in SampleEvery keeps the model current.
    private const int WarmUpSamples = 4;
    private const int SampleEvery = 16; // powers of two: the test is a mask
    private const int SampleRarely = 1024;

    private long calls;
    private long samples;
    private long seen;
    private long minimumSpawnSize = long.MaxValue;
    private double nanosecondsPerUnit = double.NaN;

    /// <summary>Creates a call site.</summary>
    /// <param name="description">What the call is and where it is, for diagnostics and statistics.</param>
    public FutureSite(string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        Description = description;
    }

    /// <summary>What the call is and where it is written.</summary>
    public string Description { get; }

    /// <summary>The learned cost of one unit of the size feature, in nanoseconds (NaN until measured).</summary>
    public double NanosecondsPerUnit => Volatile.Read(ref nanosecondsPerUnit);

    /// <summary>How many timed inline runs the model has learned from.</summary>
    public long Samples => Volatile.Read(ref samples);

    /// <summary>
    /// The smallest size whose predicted work pays for a spawn under the current model, so that the
    /// common decision — run inline — is one comparison. <see cref="long.MaxValue"/> until learned.
    /// </summary>
    internal long MinimumSpawnSize => Volatile.Read(ref minimumSpawnSize);

    /// <summary>Whether this call should be timed: always while warming up, then now and then.</summary>
    internal bool ShouldSample(long size)
    {
        // A plain increment: a lost count between racing threads only shifts which call is timed,
        // and an interlocked one would make every inline call pay for a contended cache line.
        // A call far too small to spawn only needs an occasional check that the model still holds;
        // one near the threshold is timed more often.
        long n = ++calls;
        long mask = size < MinimumSpawnSize / 16 ? SampleRarely - 1 : SampleEvery - 1;
        return n <= WarmUpSamples + 1 || (n & mask) == 0;
    }

    /// <summary>Adds one timed run (inline or spawned) to the model.</summary>
    internal void Record(long elapsedTicks, long size)
    {
        // The very first run of a call site includes compiling it: it says nothing about its cost.
        if (Interlocked.Increment(ref seen) == 1)
        {
            return;
        }

        double nanoseconds = elapsedTicks * (1e9 / Stopwatch.Frequency);
        double perUnit = nanoseconds / Math.Max(size, 1);
        long n = Interlocked.Increment(ref samples);

        // An exponentially weighted mean of samples clipped to within 4x of the current estimate,
        // so that one preempted or GC-paused run cannot make a cheap call look expensive (or the
        // reverse). Races between threads only lose a sample, never corrupt one.
        double old = Volatile.Read(ref nanosecondsPerUnit);
        double updated;
        if (double.IsNaN(old) || n <= 1)
        {
            updated = perUnit;
        }
        else
        {
            double clipped = n > WarmUpSamples ? Math.Clamp(perUnit, old / 4, old * 4) : perUnit;
            updated = old + ((clipped - old) / Math.Min(n, 8));
        }

        Volatile.Write(ref nanosecondsPerUnit, updated);
        if (n >= WarmUpSamples)
        {
            double units = FutureRuntime.SpawnBenefitFactor * FutureRuntime.SpawnCostNanoseconds / Math.Max(updated, 1e-3);
            Volatile.Write(ref minimumSpawnSize, units >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)Math.Ceiling(units));
        }
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
