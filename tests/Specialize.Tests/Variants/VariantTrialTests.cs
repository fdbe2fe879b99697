using Specialize.Tests.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Variants;

/// <summary>
/// The trial of <see cref="VariantSelector"/> on variants of known cost: a made-up clock with cold-start
/// penalties, noise and drift (the choice must be the cheapest variant whatever they do), and kernels
/// that wait a fixed time on the real clock.
/// </summary>
public sealed class VariantTrialTests
{
    private static readonly VariantKey Key = new("cpu", "test.trial", "float64", 8, 4, VariantKey.RowBucketOf(10_000));

    /// <summary>Variants whose calls cost what the test says, on a clock the test controls.</summary>
    private sealed class FakeMachine
    {
        private readonly Dictionary<Action, string> names = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, double> cost = [];
        private readonly Dictionary<string, double> coldPenalty = [];

        public VariantRegistry<Action> Registry { get; } = new("test.trial");

        /// <summary>Every call so far, by variant name.</summary>
        public List<string> Calls { get; } = [];

        /// <summary>Extra seconds of the very first call of all (worker threads starting, first touch of memory).</summary>
        public double FirstCallPenalty { get; init; }

        /// <summary>The machine's speed over time: multiplies the cost of the call with this index.</summary>
        public Func<int, double> Slowdown { get; init; } = _ => 1;

        /// <summary>The sum of every call's seconds.</summary>
        public double Total { get; private set; }

        public FakeMachine Add(string name, double seconds, double firstCallPenalty = 0)
        {
            Action kernel = () => GC.KeepAlive(name); // a distinct delegate per name
            names[kernel] = name;
            cost[name] = seconds;
            coldPenalty[name] = firstCallPenalty;
            Registry.Register(name, kernel);
            return this;
        }

        public double Measure(Action kernel)
        {
            string name = names[kernel];
            double s = cost[name] * Slowdown(Calls.Count);
            s += Calls.Contains(name) ? 0 : coldPenalty[name];
            s += Calls.Count == 0 ? FirstCallPenalty : 0;
            Calls.Add(name);
            Total += s;
            return s;
        }

        public string Select()
        {
            using var folder = new TemporaryFolder("tuning");
            return VariantSelector.SelectOrRaceCore(Registry, Key, new TuningStore(folder.Combine("tuning.json")), Measure, partialTrial: false, forced: null, logger: null).Current.Key;
        }

        public int CallsOf(string name) => Calls.Count(c => c == name);
    }

    [Fact]
    public void Cheapest_wins_when_it_is_timed_first_while_the_process_warms_up()
    {
        // The last registration is timed first; the very first call pays for starting the worker threads,
        // and the first few calls run slow while the process warms up (code tiering, thread injection).
        var machine = new FakeMachine { FirstCallPenalty = 0.5, Slowdown = i => i < 3 ? 4 : 1 }
            .Add("A", 0.004).Add("B", 0.006).Add("C", 0.0041).Add("Cheap", 0.002, firstCallPenalty: 0.01);
        Assert.Equal("Cheap", machine.Select());
    }

    [Fact]
    public void Cheapest_wins_when_every_first_call_pays_for_compilation()
    {
        // Kernels of tens of microseconds whose first call takes milliseconds: a single timed call each
        // would rank the compilation, not the kernel. "Shared" reuses compiled code and pays nothing.
        var machine = new FakeMachine()
            .Add("A", 60e-6, firstCallPenalty: 0.004)
            .Add("Cheap", 30e-6, firstCallPenalty: 0.009)
            .Add("Shared", 65e-6)
            .Add("D", 200e-6, firstCallPenalty: 0.003);
        Assert.Equal("Cheap", machine.Select());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Cheapest_wins_at_twice_the_speed_wherever_it_is_registered(int position)
    {
        string[] others = ["V1", "V2", "V3"];
        var machine = new FakeMachine { FirstCallPenalty = 0.05 };
        for (int i = 0, o = 0; i < 4; i++)
        {
            if (i == position)
            {
                machine.Add("Cheap", 0.001, firstCallPenalty: 0.003);
            }
            else
            {
                machine.Add(others[o++], 0.002, firstCallPenalty: 0.003);
            }
        }

        Assert.Equal("Cheap", machine.Select());
    }

    [Fact]
    public void Cheapest_wins_when_two_calls_in_three_are_interrupted()
    {
        // A loaded machine: most calls are stretched. The rounds rotate the order, so the disturbance,
        // which recurs every three calls, cannot always hit the same candidate.
        int calls = 0;
        var machine = new FakeMachine { Slowdown = _ => ++calls % 3 == 0 ? 1.0 : 2.5 }
            .Add("A", 0.002).Add("Cheap", 0.001).Add("C", 0.0021);
        Assert.Equal("Cheap", machine.Select());
    }

    [Fact]
    public void Cheapest_wins_when_the_machine_speeds_up_during_the_trial()
    {
        // A machine that gets faster (clock boost, caches warming) flatters whatever is timed last; the
        // rounds interleave the candidates, so the last rounds compare them at the same speed.
        var machine = new FakeMachine { Slowdown = i => 1 + (4.0 / (1 + i)) }
            .Add("B", 0.0016).Add("C", 0.002).Add("Cheap", 0.001);
        Assert.Equal("Cheap", machine.Select());
    }

    [Fact]
    public void Near_tie_is_timed_longer_so_that_a_burst_of_load_on_the_faster_one_does_not_decide()
    {
        // "Fast" costs 8% less than "Close", but its first three timed runs are hit by other load (x 1.2):
        // after three rounds "Close" leads by 11%. The leaders are within 20% of each other, so the trial times
        // them six times, and the unloaded runs of "Fast" show it is the cheaper one.
        var dry = new FakeMachine().Add("Fast", 0.0100).Add("Close", 0.0108);
        VariantSelector.RunTrial(dry.Registry.GetCandidates(Key), dry.Measure);
        int[] fastCalls = dry.Calls.Select((name, call) => (name, call)).Where(c => c.name == "Fast").Select(c => c.call).ToArray();
        var loaded = new HashSet<int>(fastCalls.Skip(1).Take(3)); // its first call is untimed

        var machine = new FakeMachine { Slowdown = i => loaded.Contains(i) ? 1.2 : 1.0 }
            .Add("Fast", 0.0100).Add("Close", 0.0108);
        var trial = VariantSelector.RunTrial(machine.Registry.GetCandidates(Key), machine.Measure);

        Assert.Equal(0, trial.Best);
        Assert.Equal(VariantSelector.CloseRepetitions, trial.Rounds);
    }

    [Fact]
    public void Clear_winner_is_timed_the_minimum_number_of_times()
    {
        var machine = new FakeMachine().Add("Fast", 0.0100).Add("Slower", 0.0125);
        var trial = VariantSelector.RunTrial(machine.Registry.GetCandidates(Key), machine.Measure);

        Assert.Equal(0, trial.Best);
        Assert.Equal(VariantSelector.TrialRepetitions, trial.Rounds);
    }

    [Fact]
    public void Far_slower_candidate_runs_once()
    {
        var machine = new FakeMachine().Add("Fast", 0.010).Add("Slow", 0.5).Add("Close", 0.012);
        Assert.Equal("Fast", machine.Select());
        Assert.Equal(1, machine.CallsOf("Slow"));
    }

    [Theory]
    [InlineData(200e-6, 5)] // 1 ms of measured time takes 5 runs
    [InlineData(20e-6, VariantSelector.TrialMaxRounds)] // 1 ms would take 50 runs: the rounds run out first
    public void Short_kernels_are_timed_until_a_millisecond_is_measured_or_the_rounds_run_out(double seconds, int expectedRuns)
    {
        var machine = new FakeMachine().Add("A", seconds).Add("B", 1.25 * seconds);
        var trial = VariantSelector.RunTrial(machine.Registry.GetCandidates(Key), machine.Measure);

        Assert.Equal(0, trial.Best);
        Assert.Equal(expectedRuns, trial.Rounds);
        Assert.Equal(1 + expectedRuns, machine.CallsOf("A")); // and the untimed first call
    }

    [Fact]
    public void Kernels_of_milliseconds_are_timed_the_minimum_number_of_times()
    {
        var machine = new FakeMachine().Add("A", 0.004).Add("B", 0.005);
        var trial = VariantSelector.RunTrial(machine.Registry.GetCandidates(Key), machine.Measure);

        Assert.Equal(0, trial.Best);
        Assert.Equal(VariantSelector.TrialRepetitions, trial.Rounds);
        Assert.Equal(1 + VariantSelector.TrialRepetitions, machine.CallsOf("A"));
        Assert.Equal(2 + VariantSelector.TrialRepetitions, machine.CallsOf("B")); // timed first: warms up the process
    }

    [Fact]
    public void Trial_reports_every_call_and_the_time_they_took()
    {
        var machine = new FakeMachine { FirstCallPenalty = 0.01 }.Add("A", 0.001, 0.002).Add("B", 0.0015).Add("C", 0.04);
        var trial = VariantSelector.RunTrial(machine.Registry.GetCandidates(Key), machine.Measure);

        Assert.Equal(machine.Calls.Count, trial.Runs);
        Assert.Equal(machine.Total, trial.TotalSeconds, 1e-12);
        Assert.Equal(0.001, trial.Seconds[trial.Best]);
    }

    [Fact]
    public void Clock_that_returns_nonsense_is_an_error_naming_the_variant()
    {
        var registry = new VariantRegistry<Action>("test.trial");
        registry.Register("A", () => { });
        registry.Register("B", () => { });
        var e = Assert.Throws<InvalidOperationException>(() => VariantSelector.RunTrial<Action>(registry.GetCandidates(Key), _ => double.NaN));
        Assert.Contains("'B'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernels_on_the_real_clock_twice_as_cheap_win_though_the_first_timed_one_starts_cold()
    {
        // Kernels that wait a fixed time, timed by the selector's own clock: a wait never ends early and
        // is not stretched by other threads competing for the cores the way computation is, so the
        // choice does not depend on the load of the machine running the tests. The cheap one is
        // registered last, so it runs first, and its first call takes far longer, as a cold start would.
        bool cold = true;
        var registry = new VariantRegistry<Action>("test.trial");
        // Waits of 10 and 20 ms: long against the few milliseconds a loaded machine may take to wake
        // a sleeping thread, so the late wake-ups of a busy test run cannot reverse the order.
        registry.Register("Double", () => Thread.Sleep(20));
        registry.Register("Cheap", () =>
        {
            Thread.Sleep(cold ? 200 : 10);
            cold = false;
        });
        using var folder = new TemporaryFolder("tuning");
        var choice = VariantSelector.Select(registry, Key, new TuningStore(folder.Combine("tuning.json")), kernel => kernel());
        Assert.Equal("Cheap", choice.Key);
    }

    [Theory]
    [InlineData(2, 128, 16_384)] // 33,554,432 / (3 x 128) = 87,381 rows: capped at 16,384
    [InlineData(19, 16, 11_037)] // 33,554,432 / (190 x 16) = 11,037.6
    [InlineData(36, 64, 2_048)] // 33,554,432 / (666 x 64) = 787: raised to the 2,048-row floor
    [InlineData(1, 1, 16_384)]
    public void Trial_prefix_shrinks_as_rows_get_costlier(int dimension, int components, int rows)
    {
        Assert.Equal(rows, Specialize.Mixture.EmState.TrialRowsFor(dimension, components));
    }
}
