using Specialize.Devices;
using Specialize.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Mixture.Ilgpu;

/// <summary>
/// EM on ILGPU's CPU accelerator (the GPU kernels, on the processor) against scikit-learn 1.2.1's results, as
/// <see cref="ScikitLearnFixtureTests"/> does for the C# kernels, with the same tolerances; the model says it ran there.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class IlgpuFixtureTests
{
    private const string Device = "ilgpu-cpu";

    public static TheoryData<string> Fixtures() => GmmFixture.All();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fit_on_the_cpu_accelerator_matches_scikit_learn_and_reports_the_device(string name)
    {
        var f = GmmFixture.Load(name);
        var x = f.X;
        var gmm = new GaussianMixture(f.Options(device: Device)).Fit(x);

        Assert.Equal(Device, gmm.Device);
        Assert.Equal(Device, gmm.KernelVariants[GmmKernels.DeviceKey]);
        Assert.Equal("float64", gmm.ComputeType);
        Assert.Equal(f.Expected.GetProperty("n_iter").GetInt32(), gmm.Iterations);
        Assert.Equal(f.Expected.GetProperty("converged").GetBoolean(), gmm.Converged);
        double bound = f.Expected.GetProperty("lower_bound").GetDouble();
        Assert.True(Math.Abs(bound - gmm.LowerBound) <= 1e-12 * Math.Abs(bound), $"{gmm.LowerBound:R} vs {bound:R}");
        AssertAll(GmmFixture.Vector(f.Expected.GetProperty("weights")), gmm.Weights);
        AssertAll(Flatten(GmmFixture.Matrix(f.Expected.GetProperty("means"))), Flatten(gmm.Means));
        int m = gmm.Weights.Length, d = x.GetLength(1);
        AssertAll(Flatten(f.ExpandToFull(f.Expected.GetProperty("covariances"), m, d)), Flatten(gmm.Covariances));
        Assert.Equal(f.Expected.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray(), gmm.Predict(x));
        AssertAll(GmmFixture.Vector(f.Expected.GetProperty("score_samples")), gmm.ScoreSamples(x));
        if (f.Type is CovarianceType.Full or CovarianceType.Tied)
        {
            Assert.StartsWith("ILGPU-", gmm.KernelVariants[GmmKernels.MahalanobisKernelName], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_forced_cpu_variant_name_does_not_apply_on_the_gpu_and_a_gpu_one_does()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        var gpu = new GaussianMixture(f.Options("ILGPU-V3", Device)).Fit(f.X);
        Assert.Equal("ILGPU-V3", gpu.KernelVariants[GmmKernels.CovarianceKernelName]);
        var cpuName = new GaussianMixture(f.Options("V3", Device)).Fit(f.X);
        Assert.StartsWith("ILGPU-", cpuName.KernelVariants[GmmKernels.CovarianceKernelName], StringComparison.Ordinal);
        Assert.Equal(gpu.Iterations, cpuName.Iterations);
    }

    [Fact]
    public void Data_stays_on_the_device_across_fits_of_different_component_counts()
    {
        var f = GmmFixture.Load("iris-diag-m3-s1");
        var data = GmmData.FromMatrix(f.X);
        int before = ResidentData.Uploads;
        for (int components = 1; components <= 3; components++)
        {
            var options = new GaussianMixtureOptions { Components = components, CovarianceType = CovarianceType.Diagonal, Seed = components, Device = Device, TuningStore = TestStores.Scratch };
            Assert.Equal(Device, new GaussianMixture(options).Fit(data).Device);
        }

        Assert.Equal(1, ResidentData.Uploads - before);

        // Other data flushes it: the next fit on the first data uploads again.
        var other = GmmData.FromMatrix(new double[,] { { 1, 2, 3, 4 }, { 2, 1, 0, 1 }, { 5, 5, 5, 6 } });
        new GaussianMixture(new GaussianMixtureOptions { Components = 1, CovarianceType = CovarianceType.Diagonal, Device = Device, TuningStore = TestStores.Scratch }).Fit(other);
        new GaussianMixture(new GaussianMixtureOptions { Components = 2, CovarianceType = CovarianceType.Diagonal, Seed = 1, Device = Device, TuningStore = TestStores.Scratch }).Fit(data);
        Assert.Equal(3, ResidentData.Uploads - before);
    }

    /// <summary>
    /// With several devices allowed, the first fit of a problem times an EM iteration on each (ILGPU's CPU
    /// accelerator stands in for a GPU here), runs on the winner and remembers it; a later fit runs where the
    /// store says without measuring again.
    /// </summary>
    [Fact]
    public void Selection_across_devices_measures_each_device_once_and_remembers_the_winner()
    {
        using var folder = new TemporaryFolder("ilgpu-device-selection");
        var store = new TuningStore(folder.Combine("tuning.json"));
        var f = GmmFixture.Load("iris-full-m3-s1");
        var key = new VariantKey("any", GmmDeviceSelection.KernelName, "float64", 4, 3, VariantKey.RowBucketOf(150));
        GmmDeviceSelection.CandidatesOverride = [DeviceRuntime.Cpu, DeviceRuntime.IlgpuCpu];
        try
        {
            var options = new GaussianMixtureOptions { Components = 3, Seed = 0, TuningStore = store };
            Assert.False(store.TryGet(key, out _));
            var first = new GaussianMixture(options).Fit(f.X);
            Assert.True(store.TryGet(key, ["cpu", "ilgpu-cpu"], out string remembered));
            Assert.Equal(remembered, first.Device);

            string other = remembered == "cpu" ? "ilgpu-cpu" : "cpu";
            store.Record(key, other, 1e-3, ["cpu", "ilgpu-cpu"]);
            Assert.Equal(other, new GaussianMixture(options).Fit(f.X).Device);
        }
        finally
        {
            GmmDeviceSelection.CandidatesOverride = null;
        }
    }

    /// <summary>
    /// Fits on several threads share the device: they take turns (one stream per accelerator), and data one fit
    /// uploads does not pull the rows from under another; every fit gives what it gives alone.
    /// </summary>
    [Fact]
    public void Fits_on_several_threads_share_the_device_and_give_what_they_give_alone()
    {
        string[] names = ["iris-full-m3-s1", "blobs-2000-5-4-7-diag-m4-s2", "iris-tied-m3-s1", "iris-spherical-m3-s1"];
        var fixtures = names.Select(GmmFixture.Load).ToArray();
        var alone = fixtures.Select(f => new GaussianMixture(f.Options(device: Device)).Fit(f.X).LowerBound).ToArray();
        var together = new double[names.Length * 3];
        Parallel.For(0, together.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var f = fixtures[i % names.Length];
            together[i] = new GaussianMixture(f.Options(device: Device)).Fit(f.X).LowerBound;
        });

        for (int i = 0; i < together.Length; i++)
        {
            Assert.Equal(alone[i % names.Length], together[i]);
        }
    }

    [Fact]
    public void A_log_line_names_the_device_and_the_precision_of_the_fit()
    {
        var f = GmmFixture.Load("iris-diag-m3-s1");
        var logger = new ListLogger();
        var options = new GaussianMixtureOptions { Components = 3, CovarianceType = CovarianceType.Diagonal, Seed = 1, Device = Device, Logger = logger, TuningStore = TestStores.Scratch };
        new GaussianMixture(options).Fit(f.X);
        Assert.Contains(logger.Entries, static e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information
            && e.Message.Contains("runs on ilgpu-cpu", StringComparison.Ordinal) && e.Message.Contains("float64", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_device_is_rejected_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixtureOptions { Device = "tpu" });
        Assert.Equal(nameof(GaussianMixtureOptions.Device), e.ParamName);
        var env = Assert.Throws<ArgumentException>(() => DeviceRuntime.Candidates("opencl"));
        Assert.Equal(DeviceRuntime.Variable, env.ParamName);
    }

    [Fact]
    public void Without_a_gpu_asking_for_cuda_runs_on_the_processor()
    {
        Assert.DoesNotContain(DeviceRuntime.Devices, static d => d.Kind == DeviceKind.Cuda); // this machine has none
        Assert.Equal([DeviceRuntime.Cpu], DeviceRuntime.Candidates("cuda"));
        Assert.Equal([DeviceRuntime.Cpu], DeviceRuntime.Candidates(null));
        var f = GmmFixture.Load("iris-full-m3-s1");
        Assert.Equal("cpu", new GaussianMixture(f.Options(device: "cuda")).Fit(f.X).Device);
    }

    private static void AssertAll(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {actual[i]:R} vs {expected[i]:R}");
        }
    }

    private static double[] Flatten(Array a) => a.Cast<double>().ToArray();
}
