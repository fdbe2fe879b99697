using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    // The first calls are always timed; after that one call in SampleEvery keeps the model current
    // (one in SampleRarely for calls far too small to spawn).
    private const int WarmUpSamples = 4;
    private const int SampleEvery = 16;
    private const int SampleRarely = 1024;

    private long untilSample = 1;
    private long sampled;
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

    /// <summary>
    /// Generated code only: decides whether this call is spawned. <see langword="true"/> reserves a
    /// slot among the futures in flight, which the caller must hand to
    /// <see cref="Future.Spawn{TState, T}"/>; <see langword="false"/> means the caller makes the call
    /// itself, as a plain call (timed when <see cref="StartTiming"/> says so).
    /// </summary>
    /// <param name="size">The size feature of this call (a length or an integer argument).</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySpawn(long size)
    {
        // The common answer, run inline, is one comparison in the caller's own code.
        if ((size >= MinimumSpawnSize || FutureRuntime.SpawnAlways) && TrySpawnSlow(size))
        {
            return true;
        }

        FutureRuntime.CountInline();
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TrySpawnSlow(long size) => FutureRuntime.ShouldSpawn(this, size) && FutureRuntime.TryEnter();

    /// <summary>
    /// Generated code only: starts timing a call that runs inline, when this call is one of the few
    /// that keep the cost model current. Returns the start timestamp, or 0 when this call is not
    /// timed; pass it to <see cref="StopTiming"/> after the call.
    /// </summary>
    /// <param name="size">The size feature of this call.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long StartTiming(long size) => FutureRuntime.Enabled && ShouldSample(size) ? Timestamp() : 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Timestamp() => Math.Max(Stopwatch.GetTimestamp(), 1);

    /// <summary>
    /// Generated code only: ends the timing that <see cref="StartTiming"/> started (nothing when it
    /// returned 0) and adds the run to the cost model.
    /// </summary>
    /// <param name="start">What <see cref="StartTiming"/> returned.</param>
    /// <param name="size">The size feature of the call, as passed to <see cref="StartTiming"/>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StopTiming(long start, long size)
    {
        if (start != 0)
        {
            Record(Stopwatch.GetTimestamp() - start, size);
        }
    }

    /// <summary>Whether this call should be timed: always while warming up, then now and then.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ShouldSample(long size)
    {
        // A plain decrement: a lost count between racing threads only shifts which call is timed,
        // and an interlocked one would make every inline call pay for a contended cache line.
        return --untilSample <= 0 && Rearm(size);
    }

    /// <summary>Sets how many calls pass before the next timed one, and says whether to time this one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Rearm(long size)
    {
        // The first calls are all timed. After that, a call far too small to spawn only needs an
        // occasional check that the model still holds; one near the threshold is timed more often.
        // (The first timed run is discarded: it includes compiling the call.)
        long n = ++sampled;
        untilSample = n <= WarmUpSamples ? 1 : size < MinimumSpawnSize / 16 ? SampleRarely : SampleEvery;
        return true;
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
