using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Specialize.Futures;

/// <summary>
/// One call site that a generated twin may run as a future, with the cost model learned for it.
/// The generator picks a size feature for the call (an array or collection length, a range's
/// length, or an integer argument); the site times some of its calls and spawns a call only when
/// calls of its size were measured to cost well above what spawning costs.
/// </summary>
/// <remarks>
/// The model makes no assumption about how the cost grows with the size, only that it does not
/// shrink: it keeps the recent costs of each size class and spawns from the smallest class whose
/// calls were measured to pay for a spawn (<see cref="CostCurve"/>). Calls larger than any measured
/// so far are always timed, so a recursion learns its threshold from its own first levels: a
/// program that sorts or sums once spawns after a small fraction of its work, whatever the shape
/// of the cost curve (n log n, cubic, exponential in an integer argument).
/// </remarks>
public sealed class FutureSite
{
    // The first calls are always timed (the very first is then discarded: it includes compiling
    // the call). After that: every call larger than twice the largest measured; one call in
    // SampleEvery of those whose cost is within NearFactor of the target; one in SampleRarely of
    // the calls far too small to spawn. Spawned calls are all timed.
    private const int WarmUpSamples = 4;
    private const int SampleEvery = 16;
    private const int SampleRarely = 1024;
    private const double NearFactor = 32;

    private readonly Lock gate = new();
    private CostCurve? curve;
    private long untilOften = 1;
    private long untilRarely = 1;
    private long sampleOftenFrom;
    private long timeAllFrom;
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

    /// <summary>
    /// The recent cost of one unit of the size feature, in nanoseconds (NaN until measured): a
    /// summary for reports. Spawn decisions do not divide by the size; they compare the measured
    /// costs of calls of each size with the cost of a spawn.
    /// </summary>
    public double NanosecondsPerUnit => Volatile.Read(ref nanosecondsPerUnit);

    /// <summary>How many timed runs (inline or spawned) the model has learned from.</summary>
    public long Samples => Volatile.Read(ref samples);

    /// <summary>
    /// The smallest size this site spawns: the smallest size class whose measured calls pay for a
    /// spawn <see cref="FutureRuntime.SpawnBenefitFactor"/> times over. <see cref="long.MaxValue"/>
    /// until calls have been measured to pay, so that the common decision — run inline — is one
    /// comparison.
    /// </summary>
    public long MinimumSpawnSize => Volatile.Read(ref minimumSpawnSize);

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

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
        // Plain decrements: a lost count between racing threads only shifts which call is timed,
        // and an interlocked one would make every inline call pay for a contended cache line.
        if (size < sampleOftenFrom)
        {
            return --untilRarely <= 0 && Rearm(rarely: true);
        }

        return (size >= timeAllFrom || --untilOften <= 0) && Rearm(rarely: false);
    }

    /// <summary>Sets how many calls pass before the next timed one, and says to time this one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool Rearm(bool rarely)
    {
        if (rarely)
        {
            untilRarely = SampleRarely;
        }
        else
        {
            untilOften = SampleEvery;
        }

        return true;
    }

    /// <summary>Adds one timed run (inline or spawned) to the model.</summary>
    /// <param name="elapsedTicks">How long the call took, in <see cref="Stopwatch"/> ticks.</param>
    /// <param name="size">The call's size feature.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Record(long elapsedTicks, long size)
    {
        // The very first run of a call site includes compiling it: it says nothing about its cost.
        if (Interlocked.Increment(ref seen) == 1)
        {
            return;
        }

        double nanoseconds = elapsedTicks * (1e9 / Stopwatch.Frequency);
        long n = Interlocked.Increment(ref samples);
        UpdatePerUnit(nanoseconds / Math.Max(size, 1), n);

        double target = FutureRuntime.SpawnTarget(nanoseconds, NearFactor);
        lock (gate)
        {
            curve ??= new CostCurve();
            curve.Add(size, nanoseconds);
            Volatile.Write(ref minimumSpawnSize, curve.SpawnThreshold(target));

            // Until the warm-up samples are in, every call is timed; then every call that is more
            // than twice as large as any measured, so that a recursion measures each new level.
            long largest = curve.LargestSize;
            bool warm = n >= WarmUpSamples;
            Volatile.Write(ref sampleOftenFrom, warm ? curve.SizeReaching(target / NearFactor) : 0);
            Volatile.Write(ref timeAllFrom, !warm ? 0 : largest >= long.MaxValue / 2 ? long.MaxValue : Math.Max(2 * largest, 1));
        }
    }

    /// <summary>
    /// An exponentially weighted mean of the cost per unit of size, with samples clipped to within
    /// 4x of the current value: a summary for reports, which races between threads may skew but
    /// never corrupt.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdatePerUnit(double perUnit, long n)
    {
        double old = Volatile.Read(ref nanosecondsPerUnit);
        double updated = double.IsNaN(old) || n <= 1
            ? perUnit
            : old + (((n > WarmUpSamples ? Math.Clamp(perUnit, old / 4, old * 4) : perUnit) - old) / Math.Min(n, 8));
        Volatile.Write(ref nanosecondsPerUnit, updated);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
