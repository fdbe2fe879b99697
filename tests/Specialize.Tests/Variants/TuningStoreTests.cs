using System.Reflection;
using System.Text.Json;
using Specialize.Mixture;
using Specialize.Tests.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Variants;

public sealed class TuningStoreTests
{
    private static readonly VariantKey Key = new("cpu", "test.kernel", "float64", 4, 3, VariantKey.RowBucketOf(1000));

    [Fact]
    public void Corrupt_file_is_ignored_with_a_warning_and_rebuilt()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        File.WriteAllText(path, "{ this is not json");
        var store = new TuningStore(path);
        var warnings = new List<TuningStoreWarningEventArgs>();
        store.Warning += (_, e) => warnings.Add(e);

        Assert.False(store.TryGet(Key, out _));
        Assert.Single(warnings);
        Assert.Equal(path, warnings[0].Path);

        store.Record(Key, "V3", 0.01);
        var reread = new TuningStore(path);
        Assert.True(reread.TryGet(Key, out string variant));
        Assert.Equal("V3", variant);
    }

    [Fact]
    public void Fingerprint_names_this_build_of_the_library()
    {
        string version = typeof(TuningStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.EndsWith(";specialize=" + version, TuningStore.Fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public void Choice_made_among_other_candidates_is_not_trusted()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        var store = new TuningStore(path);
        store.Record(Key, "V3", 0.01, ["V1", "V3"]);

        var reread = new TuningStore(path);
        Assert.True(reread.TryGet(Key, ["V3", "V1"], out string variant));
        Assert.Equal("V3", variant);
        Assert.False(reread.TryGet(Key, ["V1", "V3", "Syrk"], out _));
        Assert.False(reread.TryGet(Key, ["V1"], out _));
        Assert.True(reread.TryGet(Key, out string any));
        Assert.Equal("V3", any);
    }

    [Fact]
    public void Entry_without_candidates_is_stale_for_a_candidate_aware_lookup()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        File.WriteAllText(path, $$"""
            {"format":"specialize-tuning/1","fingerprint":{{JsonSerializer.Serialize(TuningStore.Fingerprint)}},"entries":[
              {"device":"cpu","kernel":"test.kernel","dtype":"float64","d":4,"m":3,"rows":{{Key.RowBucket}},"variant":"V1","seconds":1}]}
            """);
        var store = new TuningStore(path);

        Assert.True(store.TryGet(Key, out string variant));
        Assert.Equal("V1", variant);
        Assert.False(store.TryGet(Key, ["V1", "V3"], out _));
    }

    [Fact]
    public void Selector_measures_again_when_a_variant_was_added_since_the_choice()
    {
        using var folder = new TemporaryFolder("tuning");
        var store = new TuningStore(folder.Combine("tuning.json"));
        var measured = new List<string>();
        var registry = new VariantRegistry<Action>("test.added");
        Action slow = () => { }, fast = () => { }, newest = () => { };
        registry.Register("Slow", slow);
        registry.Register("Fast", fast);
        double Time(Action k, string name, double seconds)
        {
            measured.Add(name);
            return seconds;
        }

        double Clock(Action k) => k == slow ? Time(k, "Slow", 2.0) : k == fast ? Time(k, "Fast", 1.0) : Time(k, "Newest", 0.5);
        Assert.Equal("Fast", VariantSelector.SelectOrRaceCore(registry, Key, store, Clock, partialTrial: false, forced: null, logger: null).Current.Key);

        measured.Clear();
        Assert.Equal("Fast", VariantSelector.SelectOrRaceCore(registry, Key, store, Clock, partialTrial: false, forced: null, logger: null).Current.Key);
        Assert.Empty(measured);

        registry.Register("Newest", newest);
        Assert.Equal("Newest", VariantSelector.SelectOrRaceCore(registry, Key, store, Clock, partialTrial: false, forced: null, logger: null).Current.Key);
        Assert.Contains("Newest", measured);
        Assert.True(store.TryGet(Key, ["Slow", "Fast", "Newest"], out string stored));
        Assert.Equal("Newest", stored);
    }

    [Fact]
    public void File_from_other_hardware_is_ignored_with_a_warning()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        File.WriteAllText(path, """
            {"format":"specialize-tuning/1","fingerprint":"cpus=512;rid=other","entries":[
              {"device":"cpu","kernel":"test.kernel","dtype":"float64","d":4,"m":3,"rows":1024,"variant":"V1","seconds":1}]}
            """);
        var store = new TuningStore(path);
        int warnings = 0;
        store.Warning += (_, _) => warnings++;

        Assert.False(store.TryGet(Key, out _));
        Assert.Equal(1, warnings);
    }

    [Fact]
    public void Json_that_is_not_a_tuning_file_is_ignored_with_a_warning()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        File.WriteAllText(path, """{"hello":"world"}""");
        var store = new TuningStore(path);
        int warnings = 0;
        store.Warning += (_, _) => warnings++;
        Assert.False(store.TryGet(Key, out _));
        Assert.Equal(1, warnings);
    }

    [Fact]
    public void Recorded_choice_is_written_with_this_machines_fingerprint_and_no_temporary_file_remains()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        new TuningStore(path).Record(Key, "Syrk", 0.5);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(TuningStore.Fingerprint, doc.RootElement.GetProperty("fingerprint").GetString());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Selection_result_is_persisted_and_reused_by_the_next_fit()
    {
        using var folder = new TemporaryFolder("tuning");
        string path = folder.Combine("tuning.json");
        var f = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var options = f.Options();
        var first = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = options.Components,
            WeightsInit = options.WeightsInit,
            MeansInit = options.MeansInit,
            PrecisionsInit = options.PrecisionsInit,
            Device = "cpu",
            TuningStore = new TuningStore(path),
        }).Fit(f.X);

        string chosen = first.KernelVariants[GmmKernels.CovarianceKernelName];
        var key = new VariantKey("cpu", GmmKernels.CovarianceKernelName, "float64", 5, 4, VariantKey.RowBucketOf(2000));
        var reread = new TuningStore(path);
        Assert.True(reread.TryGet(key, out string stored));
        Assert.Equal(chosen, stored);

        // A choice recorded among this key's candidates is used as it is, without a trial.
        string other = chosen == "V2" ? "V3" : "V2";
        reread.Record(key, other, 1.0, GmmKernels.Covariance.GetCandidates(key).Select(c => c.Key));
        var second = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = options.Components,
            WeightsInit = options.WeightsInit,
            MeansInit = options.MeansInit,
            PrecisionsInit = options.PrecisionsInit,
            Device = "cpu",
            TuningStore = new TuningStore(path),
        }).Fit(f.X);
        Assert.Equal(other, second.KernelVariants[GmmKernels.CovarianceKernelName]);
    }

    [Fact]
    public void Unwritable_location_warns_and_keeps_the_choice_in_memory()
    {
        using var folder = new TemporaryFolder("tuning");
        string dir = folder.Path;
        string blocker = Path.Combine(dir, "file");
        File.WriteAllText(blocker, "");
        var store = new TuningStore(Path.Combine(blocker, "tuning.json")); // a folder that is a file
        int warnings = 0;
        store.Warning += (_, _) => warnings++;

        store.Record(Key, "V1", 0.1);
        Assert.Equal(1, warnings);
        Assert.True(store.TryGet(Key, out string variant));
        Assert.Equal("V1", variant);
    }

    [Fact]
    public void Row_buckets_are_powers_of_two()
    {
        Assert.Equal(1, VariantKey.RowBucketOf(0));
        Assert.Equal(1024, VariantKey.RowBucketOf(1000));
        Assert.Equal(1024, VariantKey.RowBucketOf(1024));
        Assert.Equal(262144, VariantKey.RowBucketOf(150000));
    }
}
