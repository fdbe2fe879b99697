using Specialize.Mixture;
using Specialize.Tests.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Variants;

/// <summary>The decisions of <see cref="VariantRace{TKernel}"/> and of a partial trial followed by a race, on made-up timings.</summary>
public sealed class VariantRaceTests
{
    private static readonly VariantKey Key = new("cpu", "test.race", "float64", 19, 16, VariantKey.RowBucketOf(150_000));

    private static KeyValuePair<string, Action>[] Candidates(params string[] names) =>
        [.. names.Select(n => new KeyValuePair<string, Action>(n, () => { }))];

    /// <summary>Runs the race to its end, answering each call with the next of <paramref name="seconds"/>; returns who ran.</summary>
    private static List<string> Play(VariantRace<Action> race, Dictionary<string, Queue<double>> seconds)
    {
        var ran = new List<string>();
        while (!race.IsDecided)
        {
            string name = race.Current.Key;
            ran.Add(name);
            race.Report(seconds[name].Dequeue());
        }

        return ran;
    }

    [Fact]
    public void Candidates_take_turns_and_the_fastest_call_wins()
    {
        var decisions = new List<(string Name, double Seconds)>();
        var race = new VariantRace<Action>(Candidates("A", "B", "C"), rounds: 2, (w, s) => decisions.Add((w.Key, s)));
        var ran = Play(race, new()
        {
            ["A"] = new([1.0, 0.8]),
            ["B"] = new([0.9, 1.0]),
            ["C"] = new([1.1, 1.0]),
        });

        Assert.Equal(["A", "B", "C", "A", "B", "C"], ran);
        Assert.Equal("A", race.Current.Key);
        Assert.Equal([("A", 0.8)], decisions);
    }

    [Fact]
    public void Clearly_slower_candidate_is_dropped_after_the_first_round()
    {
        var race = new VariantRace<Action>(Candidates("A", "B", "C"), rounds: 2);
        var ran = Play(race, new()
        {
            ["A"] = new([1.0, 1.0]),
            ["B"] = new([2.0]), // more than EliminationFactor x 1.0
            ["C"] = new([1.1, 0.95]),
        });

        Assert.Equal(["A", "B", "C", "A", "C"], ran);
        Assert.Equal("C", race.Current.Key);
    }

    [Fact]
    public void Race_ends_as_soon_as_one_candidate_is_left()
    {
        int decisions = 0;
        var race = new VariantRace<Action>(Candidates("A", "B"), rounds: 5, (_, _) => decisions++);
        var ran = Play(race, new() { ["A"] = new([1.0]), ["B"] = new([3.0]) });

        Assert.Equal(["A", "B"], ran);
        Assert.Equal("A", race.Current.Key);
        Assert.Equal(1, decisions);
    }

    [Fact]
    public void Concluding_early_picks_the_fastest_measured_candidate()
    {
        var decisions = new List<(string Name, double Seconds)>();
        var race = new VariantRace<Action>(Candidates("A", "B", "C"), rounds: 2, (w, s) => decisions.Add((w.Key, s)));
        race.Report(1.0); // A
        race.Report(0.7); // B; C never ran
        race.Conclude();
        race.Conclude(); // no second decision

        Assert.True(race.IsDecided);
        Assert.Equal("B", race.Current.Key);
        Assert.Equal([("B", 0.7)], decisions);
    }

    [Fact]
    public void Concluding_before_any_call_keeps_the_first_candidate_without_a_decision()
    {
        int decisions = 0;
        var race = new VariantRace<Action>(Candidates("A", "B"), rounds: 2, (_, _) => decisions++);
        race.Conclude();
        Assert.True(race.IsDecided);
        Assert.Equal("A", race.Current.Key);
        Assert.Equal(0, decisions);
    }

    [Fact]
    public void Tie_goes_to_the_earlier_candidate()
    {
        var race = new VariantRace<Action>(Candidates("A", "B"), rounds: 1);
        Play(race, new() { ["A"] = new([1.0]), ["B"] = new([1.0]) });
        Assert.Equal("A", race.Current.Key);
    }

    [Fact]
    public void Single_candidate_is_decided_without_a_call()
    {
        int decisions = 0;
        var race = new VariantRace<Action>(Candidates("Only"), rounds: 3, (_, _) => decisions++);
        Assert.True(race.IsDecided);
        Assert.Equal("Only", race.Current.Key);
        Assert.Equal(0, decisions);
    }

    [Fact]
    public void Bad_arguments_throw_naming_them()
    {
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => new VariantRace<Action>([], 1)).ParamName);
        Assert.Equal("candidates", Assert.Throws<ArgumentNullException>(() => new VariantRace<Action>(null!, 1)).ParamName);
        Assert.Equal("rounds", Assert.Throws<ArgumentOutOfRangeException>(() => new VariantRace<Action>(Candidates("A", "B"), 0)).ParamName);

        var race = new VariantRace<Action>(Candidates("A", "B"), 1);
        foreach (double bad in new[] { -1.0, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("seconds", Assert.Throws<ArgumentOutOfRangeException>(() => race.Report(bad)).ParamName);
        }

        race.Report(1);
        race.Report(2);
        Assert.True(race.IsDecided);
        Assert.Throws<InvalidOperationException>(() => race.Report(1));
    }

    [Fact]
    public void Partial_trial_remembers_its_winner_then_the_race_winner_on_the_full_problem()
    {
        var registry = new VariantRegistry<Action>("test.race");
        var timings = new Dictionary<Action, double>();
        foreach (var (name, trialSeconds) in new[] { ("A", 1.0), ("B", 1.2), ("C", 2.0), ("D", 1.1) })
        {
            Action kernel = () => GC.KeepAlive(name); // a distinct delegate per name
            registry.Register(name, kernel);
            timings[kernel] = trialSeconds;
        }

        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        var store = new TuningStore(path);
        var race = VariantSelector.SelectOrRaceCore(registry, Key, store, k => timings[k], partialTrial: true, forced: null, logger: null);

        // C is more than RaceFactor slower than A in the trial and does not race; the rest race fastest first.
        Assert.False(race.IsDecided);
        Assert.True(store.TryGet(Key, out string provisional));
        Assert.Equal("A", provisional);
        var ran = Play(race, new()
        {
            ["A"] = new([2.0]), // slower than its trial suggested: dropped after the first round
            ["D"] = new([1.0]),
            ["B"] = new([1.6]),
        });

        Assert.Equal(["A", "D", "B"], ran);
        Assert.Equal("D", race.Current.Key);
        Assert.True(new TuningStore(path).TryGet(Key, out string stored));
        Assert.Equal("D", stored);
    }

    [Fact]
    public void Full_trial_or_a_remembered_choice_is_decided_at_once()
    {
        var registry = new VariantRegistry<Action>("test.race");
        Action fast = () => { }, slow = () => { };
        registry.Register("Fast", fast);
        registry.Register("Slow", slow);
        using var folder = new TemporaryFolder("tuning");
        var store = new TuningStore(folder.Combine("tuning.json"));

        var full = VariantSelector.SelectOrRaceCore(registry, Key, store, k => k == fast ? 1.0 : 1.1, partialTrial: false, forced: null, logger: null);
        Assert.True(full.IsDecided);
        Assert.Equal("Fast", full.Current.Key);

        // Now remembered: no trial runs (the clock would throw), even for a partial trial.
        var again = VariantSelector.SelectOrRaceCore<Action>(registry, Key, store, _ => throw new InvalidOperationException("measured"), partialTrial: true, forced: null, logger: null);
        Assert.True(again.IsDecided);
        Assert.Equal("Fast", again.Current.Key);
    }

    [Fact]
    public void Fit_on_more_rows_than_the_trial_remembers_a_raced_variant_and_matches_a_forced_one()
    {
        const int n = 20_000, d = 3, m = 2;
        var random = new Random(7);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = random.NextDouble() + (i % 2 == 0 ? 0 : 3 + j);
            }
        }

        GaussianMixtureOptions Options(TuningStore store, string? variant) => new()
        {
            Components = m,
            MaxIterations = 12,
            Tolerance = 1e-300,
            WeightsInit = [0.5, 0.5],
            MeansInit = new double[,] { { 0.5, 0.5, 0.5 }, { 3, 4, 5 } },
            Seed = 1,
            Variant = variant,
            Device = "cpu",
            TuningStore = store,
        };

        using var folder = new TemporaryFolder("tuning");
        var store = new TuningStore(folder.Combine("tuning.json"));
        var raced = new GaussianMixture(Options(store, null)).Fit(x);
        var forced = new GaussianMixture(Options(TestStores.Scratch, "V1")).Fit(x);

        var key = new VariantKey("cpu", GmmKernels.CovarianceKernelName, "float64", d, m, VariantKey.RowBucketOf(n));
        Assert.True(store.TryGet(key, out string remembered));
        Assert.Equal(remembered, raced.KernelVariants[GmmKernels.CovarianceKernelName]);
        Assert.Equal(forced.LowerBound, raced.LowerBound, 1e-9 * Math.Abs(forced.LowerBound));
    }
}
