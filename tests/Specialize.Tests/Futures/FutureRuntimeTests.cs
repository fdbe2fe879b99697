using System.Diagnostics;
using System.Runtime.CompilerServices;
using Specialize.Futures;
using Xunit;

namespace Specialize.Tests.Futures;

/// <summary>These tests change process-wide futures settings, so they never run beside each other.</summary>
[CollectionDefinition(nameof(FutureRuntimeState), DisableParallelization = true)]
public sealed class FutureRuntimeState
{
}

[Collection(nameof(FutureRuntimeState))]
public sealed class FutureRuntimeTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly int maxInFlight = FutureRuntime.MaxInFlight;

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.MaxInFlight = maxInFlight;
    }

    [Fact]
    public void Inline_future_returns_the_value()
    {
        var site = new FutureSite("test");
        Future<int> future = Future.RunInline(site, 1, 20, static x => x + 1);

        Assert.False(future.IsSpawned);
        Assert.Equal(21, future.Force());
    }

    [Fact]
    public void Forcing_rethrows_the_original_exception_object()
    {
        var thrown = new InvalidOperationException("boom");
        var site = new FutureSite("test");
        Future<int> future = Future.RunInline<InvalidOperationException, int>(site, 1, thrown, static e => throw e);

        var caught = Assert.Throws<InvalidOperationException>(() => future.Force());
        Assert.Same(thrown, caught);
    }

    [Fact]
    public void A_site_learns_its_cost_from_inline_runs()
    {
        var site = new FutureSite("test");
        Assert.True(double.IsNaN(site.NanosecondsPerUnit));

        for (int i = 0; i < 6; i++)
        {
            Future.RunInline(site, 1000, 1000, static n => Spin(n)).Force();
        }

        Assert.True(site.Samples >= 4);
        Assert.True(site.NanosecondsPerUnit > 0 && double.IsFinite(site.NanosecondsPerUnit));
    }

    [Fact]
    public void Plain_calls_are_timed_while_the_site_warms_up_and_then_now_and_then()
    {
        FutureRuntime.Enabled = true;
        var site = new FutureSite("test");

        // The first five calls are all timed; the first timing is discarded (it includes the JIT).
        for (int i = 0; i < 5; i++)
        {
            long start = site.StartTiming(1000);
            Assert.NotEqual(0, start);
            Spin(1000);
            site.StopTiming(start, 1000);
        }

        Assert.Equal(4, site.Samples);
        Assert.True(site.NanosecondsPerUnit > 0 && double.IsFinite(site.NanosecondsPerUnit));

        // After that, one call in 16 (or in 1024, far below the spawn threshold): some, not all.
        int timed = 0;
        for (int i = 0; i < 4096; i++)
        {
            long start = site.StartTiming(1000);
            timed += start != 0 ? 1 : 0;
            site.StopTiming(start, 1000);
        }

        Assert.InRange(timed, 4096 / 1024, 4096 / 16);
        Assert.Equal(4 + timed, site.Samples);
    }

    [Fact]
    public void Plain_calls_are_not_timed_with_futures_off_and_do_not_use_up_the_warm_up()
    {
        FutureRuntime.Enabled = false;
        var site = new FutureSite("test");

        for (int i = 0; i < 100; i++)
        {
            long start = site.StartTiming(1000);
            Assert.Equal(0, start);
            site.StopTiming(start, 1000);
        }

        Assert.Equal(0, site.Samples);

        // Turned on, the site still times its first calls: it has learned nothing yet.
        FutureRuntime.Enabled = true;
        for (int i = 0; i < 5; i++)
        {
            long start = site.StartTiming(1000);
            Assert.NotEqual(0, start);
            site.StopTiming(start, 1000);
        }

        Assert.Equal(4, site.Samples);
    }

    [Fact]
    public void A_spawned_call_is_joined_with_its_value_or_its_original_exception()
    {
        FutureRuntime.Enabled = true;
        var site = Learned(nanosecondsPerUnit: 1000);
        var thrown = new InvalidOperationException("boom");

        if (!site.TrySpawn(1_000_000))
        {
            // One core, or the in-flight limit reached by other tests: nothing to join.
            Assert.Equal(1, Environment.ProcessorCount);
            return;
        }

        Task<int> value = Future.Spawn(site, 1_000_000, 41, static x => x + 1);
        Assert.True(site.TrySpawn(1_000_000));
        Task<int> failure = Future.Spawn<InvalidOperationException, int>(site, 1_000_000, thrown, static e => throw e);

        Assert.Equal(42, Future.Join(value, -1));
        Assert.Same(thrown, Assert.Throws<InvalidOperationException>(() => Future.Join(failure, -1)));
        Assert.Same(thrown, Assert.Throws<InvalidOperationException>(() => Future.Wait(failure)));
        Assert.Equal(0, FutureRuntime.InFlight);
    }

    [Fact]
    public void A_spawned_call_that_fails_and_is_never_joined_raises_no_unobserved_task_exception()
    {
        // A twin whose earlier call throws leaves the calls it started after it running, and never
        // joins them: their failures must not reach TaskScheduler.UnobservedTaskException, an event
        // the sequential program would never raise.
        string message = "never joined " + Guid.NewGuid().ToString("N");
        bool raised = false;
        void Observe(object? sender, UnobservedTaskExceptionEventArgs e) =>
            raised |= e.Exception.InnerExceptions.Any(inner => inner.Message == message);

        TaskScheduler.UnobservedTaskException += Observe;
        try
        {
            SpawnAndForget(message);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.False(raised, "the abandoned call's exception was reported as unobserved");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Observe;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SpawnAndForget(string message)
    {
        Assert.True(FutureRuntime.TryEnter());
        Task<int> failing = Future.Spawn<string, int>(new FutureSite("abandoned"), 1, message, static m => throw new InvalidOperationException(m));
        SpinWait.SpinUntil(() => failing.IsCompleted, TimeSpan.FromSeconds(30));
        Assert.True(failing.IsFaulted);
    }

    [Fact]
    public void A_spawned_call_no_thread_has_started_runs_on_the_thread_that_needs_it_once()
    {
        // The pool has not picked the call up yet (its work item is run by hand below): the join
        // runs it here instead of waiting, and the work item, when the pool gets to it, does nothing.
        var site = new FutureSite("claimed");
        Assert.True(FutureRuntime.TryEnter());
        int runs = 0;
        int ranOn = -1;
        var call = new Future.SpawnedCall<int, int>(site, 1, 41, x =>
        {
            runs++;
            ranOn = Environment.CurrentManagedThreadId;
            return x + 1;
        });

        Assert.Equal(42, Future.Join(call.Task, -1));
        ((IThreadPoolWorkItem)call).Execute();

        Assert.Equal(1, runs);
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        Assert.Equal(0, FutureRuntime.InFlight);
    }

    [Fact]
    public void A_spawned_call_the_pool_ran_first_is_not_run_again_by_the_join()
    {
        var site = new FutureSite("pooled");
        var thrown = new InvalidOperationException("boom");
        Assert.True(FutureRuntime.TryEnter());
        int runs = 0;
        var call = new Future.SpawnedCall<InvalidOperationException, int>(site, 1, thrown, e =>
        {
            runs++;
            throw e;
        });

        ((IThreadPoolWorkItem)call).Execute();

        Assert.Same(thrown, Assert.Throws<InvalidOperationException>(() => Future.Join(call.Task, -1)));
        Assert.Equal(1, runs);
        Assert.Equal(0, FutureRuntime.InFlight);
    }

    [Fact]
    public void A_spawned_call_that_throws_before_any_thread_started_it_rethrows_at_the_join()
    {
        var site = new FutureSite("claimed-throwing");
        var thrown = new InvalidOperationException("boom");
        Assert.True(FutureRuntime.TryEnter());
        var call = new Future.SpawnedCall<InvalidOperationException, int>(site, 1, thrown, static e => throw e);

        Assert.Same(thrown, Assert.Throws<InvalidOperationException>(() => Future.Wait(call.Task)));
        Assert.Same(thrown, Assert.Throws<InvalidOperationException>(() => Future.Join(call.Task, -1)));
        Assert.Equal(0, FutureRuntime.InFlight);
    }

    [Fact]
    public void A_call_that_ran_inline_is_joined_with_its_own_value()
    {
        Assert.Equal(7, Future.Join<int>(null, 7));
        Future.Wait<int>(null);
    }

    [Fact]
    public void Calls_run_inline_until_the_site_has_learned_its_cost()
    {
        FutureRuntime.Enabled = true;
        var site = new FutureSite("test");

        Future<long> first = Future.Start(site, long.MaxValue / 2, 10, static n => Spin(n));

        Assert.False(first.IsSpawned);
    }

    [Fact]
    public void Heavy_calls_are_spawned_and_cheap_ones_are_not()
    {
        FutureRuntime.Enabled = true;
        var site = Learned(nanosecondsPerUnit: 1000);

        // 1 unit is ~1 us of work: far below 20 spawns' cost. 10^6 units is ~1 s: far above.
        Future<int> cheap = Future.Start(site, 1, 1, static x => x);
        Future<int> heavy = Future.Start(site, 1_000_000, 2, static x => x);

        Assert.False(cheap.IsSpawned);
        Assert.Equal(1, cheap.Force());
        Assert.Equal(Environment.ProcessorCount > 1, heavy.IsSpawned);
        Assert.Equal(2, heavy.Force());
    }

    [Fact]
    public void Turning_futures_off_runs_every_call_inline()
    {
        var site = Learned(nanosecondsPerUnit: 1000);
        FutureRuntime.Enabled = false;

        Future<int> heavy = Future.Start(site, 1_000_000, 2, static x => x);

        Assert.False(heavy.IsSpawned);
        Assert.Equal(2, heavy.Force());
    }

    [Fact]
    public void Futures_in_flight_never_exceed_the_limit()
    {
        if (Environment.ProcessorCount < 2)
        {
            // On one core nothing is ever spawned; the limit is then trivially respected.
            Assert.Equal(0, FutureRuntime.InFlight);
            return;
        }

        FutureRuntime.Enabled = true;
        FutureRuntime.MaxInFlight = 1;
        var site = Learned(nanosecondsPerUnit: 1000);
        using var release = new ManualResetEventSlim(false);

        Future<int> first = Future.Start(site, 1_000_000, release, static r => { r.Wait(); return 1; });
        Future<int> second = Future.Start(site, 1_000_000, release, static _ => 2);

        Assert.True(first.IsSpawned);
        Assert.False(second.IsSpawned);
        release.Set();
        Assert.Equal(1, first.Force());
        Assert.Equal(2, second.Force());
    }

    [Theory]
    [InlineData("off", true)]
    [InlineData("OFF", true)]
    [InlineData("0", true)]
    [InlineData("false", true)]
    [InlineData("on", false)]
    [InlineData(null, false)]
    public void SPECIALIZE_FUTURES_values_that_turn_futures_off(string? value, bool off)
    {
        Assert.Equal(off, FutureRuntime.IsOff(value));
    }

    [Fact]
    public void Bad_settings_name_the_argument()
    {
        var limit = Assert.Throws<ArgumentOutOfRangeException>(() => FutureRuntime.MaxInFlight = 0);
        Assert.Equal("value", limit.ParamName);
        var description = Assert.Throws<ArgumentException>(() => new FutureSite(""));
        Assert.Equal("description", description.ParamName);
    }

    [Fact]
    public void A_non_positive_spawn_benefit_factor_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FutureRuntime.SpawnBenefitFactor = 0);
        Assert.Equal("value", error.ParamName);
        Assert.Equal(20, FutureRuntime.SpawnBenefitFactor);
    }

    [Fact]
    public void A_recursion_that_runs_once_spawns_its_large_calls_after_a_small_part_of_its_work()
    {
        // Fib(n - 1) + Fib(n - 2), the first call at a site, the second made directly: the work is
        // exponential in the size feature n and most calls are small. Costs are simulated, scaled
        // so that Fib(20) is the first call worth a spawn, and each timed call is recorded when it
        // returns, as the twin does.
        FutureRuntime.Enabled = true;
        var site = new FutureSite("fib");
        double target = FutureRuntime.SpawnBenefitFactor * FutureRuntime.SpawnCostNanoseconds;
        double Cost(int n) => target * Math.Pow(1.618, n - 20);
        double total = Cost(30);
        double done = 0;
        double doneAtFirstSpawn = double.NaN;

        void Fib(int n)
        {
            if (n < 2)
            {
                done += Cost(n);
                return;
            }

            if (site.MinimumSpawnSize <= n - 1 && double.IsNaN(doneAtFirstSpawn))
            {
                doneAtFirstSpawn = done;
            }

            long start = site.StartTiming(n - 1);
            Fib(n - 1);
            if (start != 0)
            {
                site.Record(Ticks(Cost(n - 1)), n - 1);
            }

            Fib(n - 2);
        }

        Fib(30);

        Assert.InRange(site.MinimumSpawnSize, 20, 21);
        Assert.True(doneAtFirstSpawn < 0.05 * total, $"first spawn after {doneAtFirstSpawn / total:P1} of the work");
    }

    [Fact]
    public void Calls_of_one_size_that_pay_are_spawned_from_the_fourth_call()
    {
        // A loop of independent heavy calls: the first run is discarded (it includes compiling the
        // call), the next two are measured to pay, and the fourth is spawned.
        FutureRuntime.Enabled = true;
        var site = new FutureSite("loop");
        long heavy = Ticks(10 * FutureRuntime.SpawnBenefitFactor * FutureRuntime.SpawnCostNanoseconds);
        for (int call = 1; call <= 3; call++)
        {
            Assert.Equal(long.MaxValue, site.MinimumSpawnSize);
            Assert.NotEqual(0, site.StartTiming(500));
            site.Record(heavy, 500);
        }

        Assert.True(site.MinimumSpawnSize <= 500, $"spawns from {site.MinimumSpawnSize}");
        bool spawned = site.TrySpawn(500);
        if (spawned)
        {
            // Nothing is started: give the reserved slot back.
            FutureRuntime.Exit();
        }

        Assert.Equal(Environment.ProcessorCount > 1, spawned);
    }

    [Fact]
    public void One_slow_run_among_cheap_ones_does_not_make_a_site_spawn()
    {
        FutureRuntime.Enabled = true;
        var site = new FutureSite("noisy");
        long cheap = Ticks(50);
        long stalled = Ticks(1000 * FutureRuntime.SpawnBenefitFactor * FutureRuntime.SpawnCostNanoseconds);
        for (int i = 0; i < 6; i++)
        {
            site.Record(cheap, 1);
        }

        site.Record(stalled, 1);
        Assert.Equal(long.MaxValue, site.MinimumSpawnSize);
        Assert.False(site.TrySpawn(1));

        // Nor one at a size never measured before, nor two there when a larger size was cheap.
        site.Record(stalled, 64);
        Assert.Equal(long.MaxValue, site.MinimumSpawnSize);
        site.Record(cheap, 4096);
        site.Record(stalled, 64);
        site.Record(stalled, 100);
        Assert.Equal(long.MaxValue, site.MinimumSpawnSize);
    }

    [Fact]
    public void Cheap_calls_with_noisy_timings_stay_inline()
    {
        // A 50 ns call whose timing is stretched to 5 ms once in 25 runs (a preempted thread, a
        // garbage collection), at sizes from 0 to 1000.
        FutureRuntime.Enabled = true;
        var site = new FutureSite("cheap");
        var random = new Random(17);
        for (int i = 0; i < 20_000; i++)
        {
            site.Record(Ticks(random.Next(25) == 0 ? 5_000_000 : 50), random.Next(0, 1_001));
            Assert.True(long.MaxValue == site.MinimumSpawnSize, $"at {i}: {site.MinimumSpawnSize}");
        }
    }

    [Fact]
    public void Calls_larger_than_any_measured_are_always_timed()
    {
        FutureRuntime.Enabled = true;
        var site = new FutureSite("growing");
        for (int i = 0; i < 8; i++)
        {
            site.StartTiming(100);
            site.Record(Ticks(200), 100);
        }

        // Far below any target and already measured: now and then. Ten times larger: every time,
        // until it has been measured.
        int small = 0;
        for (int i = 0; i < 1000; i++)
        {
            small += site.StartTiming(100) != 0 ? 1 : 0;
        }

        Assert.InRange(small, 0, 1000 / 16);
        for (int i = 0; i < 5; i++)
        {
            Assert.NotEqual(0, site.StartTiming(1000));
        }

        site.Record(Ticks(2000), 1000);
        Assert.NotEqual(0, site.StartTiming(2001));
    }

    private static long Ticks(double nanoseconds) => (long)(nanoseconds * Stopwatch.Frequency / 1e9);

    private static FutureSite Learned(double nanosecondsPerUnit)
    {
        var site = new FutureSite("learned");
        long ticks = (long)(nanosecondsPerUnit * 1000 * Stopwatch.Frequency / 1e9);
        for (int i = 0; i < 8; i++)
        {
            site.Record(ticks, 1000);
        }

        return site;
    }

    private static long Spin(long n)
    {
        long acc = 0;
        for (long i = 0; i < n; i++)
        {
            acc += i ^ (acc >> 3);
        }

        return acc;
    }
}
