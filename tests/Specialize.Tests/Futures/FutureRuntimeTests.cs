using System.Diagnostics;
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
