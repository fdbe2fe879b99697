using System.Diagnostics;
using Specialize.Futures;

namespace Specialize.Bench;

/// <summary>One workload measured with futures off and on.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Size">The problem size, in words.</param>
/// <param name="OffMilliseconds">Median time of one call with futures off.</param>
/// <param name="OnMilliseconds">Median time of one call with futures on.</param>
/// <param name="SpawnedPerCall">Futures spawned per call with futures on (after warm-up).</param>
/// <param name="Rounds">How many off/on round pairs were timed.</param>
/// <param name="CallsPerRound">How many calls each timed round made.</param>
/// <param name="Target">The ratio off/on the workload must reach.</param>
/// <param name="PlainMilliseconds">Median time of one call of the same source without a twin (NaN when not measured).</param>
/// <param name="OffGcPauseMilliseconds">Garbage-collection pauses per call with futures off (they do not run in parallel).</param>
/// <param name="OnGcPauseMilliseconds">Garbage-collection pauses per call with futures on.</param>
internal sealed record Comparison(
    string Name,
    string Size,
    double OffMilliseconds,
    double OnMilliseconds,
    double SpawnedPerCall,
    int Rounds,
    int CallsPerRound,
    double Target,
    double PlainMilliseconds,
    double OffGcPauseMilliseconds,
    double OnGcPauseMilliseconds)
{
    /// <summary>The speed-up of futures over the sequential run (above 1 is faster).</summary>
    public double Ratio => OffMilliseconds / OnMilliseconds;

    public bool MeetsTarget => Ratio >= Target;

    /// <summary>The speed-up of futures over the plain source (NaN when it was not measured).</summary>
    public double PlainRatio => PlainMilliseconds / OnMilliseconds;
}

/// <summary>
/// A Stopwatch harness that times the same generated code with <see cref="FutureRuntime.Enabled"/>
/// off (every pure call inline, in program order) and on, in this one process.
/// </summary>
/// <remarks>
/// Warm-up runs first with futures on, so the JIT has tiered up and every future site has the timed
/// inline samples its cost model needs before it may spawn. Then rounds alternate off, on, off, on,
/// ..., each round timing <c>callsPerRound</c> calls after a full garbage collection, so that slow
/// drift (other load, frequency changes) affects both sides alike. The result of every timed round is
/// compared with the first sequential result: a workload whose futures change its result fails.
/// Where a plain variant is given (the same source in a type that gets no twin), it is timed too, at
/// the start of each round, to show what the generated code costs with futures off.
/// </remarks>
internal static class Harness
{
    public static Comparison Compare<T>(
        string name,
        string size,
        Func<T> work,
        Func<T, T, bool> equal,
        int warmUpCalls,
        int rounds,
        int callsPerRound,
        double target,
        Func<T>? plain = null)
    {
        FutureRuntime.Enabled = false;
        T expected = work();
        if (plain is not null)
        {
            Check(name, "plain", expected, plain(), equal);
        }

        FutureRuntime.Enabled = true;
        for (int i = 0; i < warmUpCalls; i++)
        {
            Check(name, "warm-up", expected, work(), equal);
            if (plain is not null)
            {
                Check(name, "plain", expected, plain(), equal);
            }
        }

        var plainTimes = new double[rounds];
        var off = new double[rounds];
        var on = new double[rounds];
        long spawned = 0;
        var pauses = new double[2];
        for (int r = 0; r < rounds; r++)
        {
            if (plain is not null)
            {
                double ignored = 0;
                plainTimes[r] = Time(name, "plain", plain, expected, equal, callsPerRound, ref ignored);
            }

            FutureRuntime.Enabled = false;
            long before = FutureRuntime.Spawned;
            off[r] = Time(name, "off", work, expected, equal, callsPerRound, ref pauses[0]);
            if (FutureRuntime.Spawned != before)
            {
                throw new InvalidOperationException($"{name}: a future was spawned while futures were off.");
            }

            FutureRuntime.Enabled = true;
            before = FutureRuntime.Spawned;
            on[r] = Time(name, "on", work, expected, equal, callsPerRound, ref pauses[1]);
            spawned += FutureRuntime.Spawned - before;
        }

        FutureRuntime.Enabled = true;
        return new Comparison(name, size, Median(off), Median(on), (double)spawned / ((long)rounds * callsPerRound), rounds, callsPerRound, target,
            plain is null ? double.NaN : Median(plainTimes),
            pauses[0] / ((long)rounds * callsPerRound),
            pauses[1] / ((long)rounds * callsPerRound));
    }

    private static double Time<T>(string name, string side, Func<T> work, T expected, Func<T, T, bool> equal, int calls, ref double gcPauseMilliseconds)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        T last = default!;
        TimeSpan pausedBefore = GC.GetTotalPauseDuration();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            last = work();
        }

        double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds / calls;
        gcPauseMilliseconds += (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        Check(name, side, expected, last, equal);
        return milliseconds;
    }

    private static void Check<T>(string name, string side, T expected, T actual, Func<T, T, bool> equal)
    {
        if (!equal(expected, actual))
        {
            throw new InvalidOperationException(side == "plain"
                ? $"{name}: the plain source gives another result than the generated code."
                : $"{name}: the result with futures {side} differs from the sequential result.");
        }
    }

    internal static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
