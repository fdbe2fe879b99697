using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Specialize.Futures;

/// <summary>
/// Process-wide policy for conditional futures: whether they run at all, how many may be in flight,
/// and the memory load above which every call runs inline.
/// </summary>
/// <remarks>
/// Set the environment variable <c>SPECIALIZE_FUTURES=off</c> (or <see cref="Enabled"/> to
/// <see langword="false"/>) to run every call inline, in program order: for debugging, and as the
/// baseline of a benchmark.
/// </remarks>
public static class FutureRuntime
{
    private static int maxInFlight = 4 * Environment.ProcessorCount;
    private static int inFlight;
    private static long spawned;
    private static long inlined;
    private static long memoryCheckedAt;
    private static int memoryHigh;
    private static double spawnCostNanoseconds = double.NaN;

    /// <summary>
    /// Whether pure calls may run as futures. Defaults to <see langword="true"/> unless the
    /// environment variable <c>SPECIALIZE_FUTURES</c> is <c>off</c>, <c>0</c> or <c>false</c>.
    /// </summary>
    public static bool Enabled { get; set; } = !IsOff(Environment.GetEnvironmentVariable("SPECIALIZE_FUTURES"));

    /// <summary>
    /// Spawns every call a twin can spawn, whatever its predicted work, while the in-flight limit
    /// allows (default <see langword="false"/>, or <see langword="true"/> when the environment
    /// variable <c>SPECIALIZE_FUTURES</c> is <c>always</c>). For testing that a program computes the
    /// same with its calls running at once as without; it makes small calls slower.
    /// </summary>
    public static bool SpawnAlways { get; set; } = string.Equals(Environment.GetEnvironmentVariable("SPECIALIZE_FUTURES"), "always", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The most futures running at once across the process (default 4 × processor count); beyond
    /// it, calls run inline.
    /// </summary>
    public static int MaxInFlight
    {
        get => Volatile.Read(ref maxInFlight);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref maxInFlight, value);
        }
    }

    /// <summary>
    /// The fraction of the GC's memory budget in use above which calls run inline (default 0.85),
    /// so that spawning never adds to memory pressure.
    /// </summary>
    public static double MemoryLoadLimit
    {
        get => memoryLoadLimit;
        set
        {
            if (!(value > 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MemoryLoadLimit must be in (0, 1].");
            }

            memoryLoadLimit = value;
        }
    }

    private static double memoryLoadLimit = 0.85;

    /// <summary>
    /// How many times the predicted work of a call must exceed the cost of spawning it before it is
    /// spawned (default 20): a future must pay for itself many times over. Each call site applies a
    /// new value the next time it times a call.
    /// </summary>
    public static double SpawnBenefitFactor
    {
        get => spawnBenefitFactor;
        set
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "SpawnBenefitFactor must be a positive, finite number.");
            }

            spawnBenefitFactor = value;
        }
    }

    private static double spawnBenefitFactor = 20;

    /// <summary>Futures spawned so far in this process.</summary>
    public static long Spawned => Volatile.Read(ref spawned);

    /// <summary>
    /// Calls that went through a future site and ran inline. Counted without synchronization (an
    /// inline call must stay cheap), so under heavy parallelism it can undercount slightly.
    /// </summary>
    public static long Inlined => Volatile.Read(ref inlined);

    /// <summary>Futures running now.</summary>
    public static int InFlight => Volatile.Read(ref inFlight);

    /// <summary>
    /// The measured cost of spawning and joining one future on this machine, in nanoseconds
    /// (measured once, at the first timed call that costs enough for it to matter).
    /// </summary>
    public static double SpawnCostNanoseconds
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            double cost = Volatile.Read(ref spawnCostNanoseconds);
            if (double.IsNaN(cost))
            {
                cost = CalibrateSpawnCost();
                Volatile.Write(ref spawnCostNanoseconds, cost);
            }

            return cost;
        }
    }

    /// <summary>The least a spawn is taken to cost, however fast the calibration ran.</summary>
    internal const double MinimumSpawnCostNanoseconds = 500;

    /// <summary>
    /// The work, in nanoseconds, that a call must do to be worth a spawn:
    /// <see cref="SpawnBenefitFactor"/> times <see cref="SpawnCostNanoseconds"/>. Measuring the
    /// spawn cost takes a millisecond or more, which a program of cheap calls should never pay, so
    /// it waits for a call that costs at least 1/<paramref name="margin"/> of the smallest target
    /// possible (with the cheapest spawn); until then that smallest target is returned, which
    /// answers every question the caller asks about cheaper calls the same way.
    /// </summary>
    /// <param name="cost">The cost of the call being recorded, in nanoseconds.</param>
    /// <param name="margin">How far below the target the caller still tells calls apart.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double SpawnTarget(double cost, double margin)
    {
        double factor = SpawnBenefitFactor;
        double smallest = factor * MinimumSpawnCostNanoseconds;
        return double.IsNaN(Volatile.Read(ref spawnCostNanoseconds)) && cost * margin < smallest
            ? smallest
            : factor * SpawnCostNanoseconds;
    }

    internal static bool IsOff(string? value) =>
        value is not null && (value.Equals("off", StringComparison.OrdinalIgnoreCase)
            || value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool ShouldSpawn(FutureSite site, long size)
    {
        // The site keeps the smallest size worth a spawn (long.MaxValue until it has learned).
        if (!Enabled || (size < site.MinimumSpawnSize && !SpawnAlways) || Environment.ProcessorCount < 2)
        {
            return false;
        }

        return !IsMemoryHigh();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryEnter()
    {
        int limit = MaxInFlight;
        int current = Volatile.Read(ref inFlight);
        while (current < limit)
        {
            int seen = Interlocked.CompareExchange(ref inFlight, current + 1, current);
            if (seen == current)
            {
                Interlocked.Increment(ref spawned);
                return true;
            }

            current = seen;
        }

        return false;
    }

    internal static void Exit() => Interlocked.Decrement(ref inFlight);

    internal static void CountInline() => inlined++;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsMemoryHigh()
    {
        // GC.GetGCMemoryInfo is not free: look at most every 10 ms.
        long now = Environment.TickCount64;
        if (now - Volatile.Read(ref memoryCheckedAt) > 10)
        {
            Interlocked.Exchange(ref memoryCheckedAt, now);
            GCMemoryInfo info = GC.GetGCMemoryInfo();
            bool high = info.HighMemoryLoadThresholdBytes > 0
                && info.MemoryLoadBytes >= memoryLoadLimit * info.HighMemoryLoadThresholdBytes;
            Volatile.Write(ref memoryHigh, high ? 1 : 0);
        }

        return Volatile.Read(ref memoryHigh) == 1;
    }

    private static double CalibrateSpawnCost()
    {
        // Spawn and join trivial tasks. The first round only wakes the thread pool (creating its
        // threads costs milliseconds once, not per future); of the rest, the fastest round is what a
        // spawn costs, and slower rounds measure other load on the machine at that moment, which a
        // one-time calibration must not bake into every later decision.
        const int rounds = 9;
        const int perRound = 32;
        double best = double.PositiveInfinity;
        for (int r = 0; r <= rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perRound; i++)
            {
                Task<int> task = Task.Factory.StartNew(static s => (int)s! + 1, i, default, TaskCreationOptions.None, TaskScheduler.Default);
                task.GetAwaiter().GetResult();
            }

            double perFuture = Stopwatch.GetElapsedTime(start).TotalNanoseconds / perRound;
            if (r > 0)
            {
                best = Math.Min(best, perFuture);
            }
        }

        return Math.Max(best, MinimumSpawnCostNanoseconds);
    }
}
