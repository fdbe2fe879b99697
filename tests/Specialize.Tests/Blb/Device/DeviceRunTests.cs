using Specialize.Blb;
using Specialize.Devices;
using Specialize.Mixture;
using Specialize.Sampling;
using Specialize.Tests.Mixture;
using Specialize.Tests.Mixture.Ilgpu;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Blb.Device;

/// <summary>
/// The device path of a run on ILGPU's CPU accelerator: the processor's answers, results that do not depend on how
/// the work is split into launches, the rows copied once per launch, and the choice of device.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class DeviceRunTests
{
    private static BlbOptions Options(string? device, int seed = 5) =>
        new() { Seed = seed, Subsamples = 6, Bootstraps = 30, Gamma = 0.8, Device = device, TuningStore = TestStores.Scratch };

    [Fact]
    public void Bootstraps_on_the_device_give_the_processors_standard_error_and_interval_and_name_the_device()
    {
        double[] values = TestData.Normal(3000, 2, 1.5, seed: 1);

        BlbResult onDevice = DeviceMean.Run(values, Options("ilgpu-cpu"));
        BlbResult onProcessor = DeviceMean.Run(values, Options("cpu"));

        Assert.Equal("ilgpu-cpu", onDevice.Device);
        Assert.Equal("cpu", onProcessor.Device);
        Assert.Equal(onProcessor.Estimate, onDevice.Estimate);
        Assert.Equal(onProcessor.StandardError, onDevice.StandardError, 1e-12 * onProcessor.StandardError);
        Assert.Equal(onProcessor.Lower, onDevice.Lower, 1e-12 * Math.Abs(onProcessor.Lower));
        Assert.Equal(onProcessor.Upper, onDevice.Upper, 1e-12 * Math.Abs(onProcessor.Upper));
        Assert.Equal(onProcessor.BootstrapMean, onDevice.BootstrapMean, 1e-12 * Math.Abs(onProcessor.BootstrapMean));
        Assert.Equal(BlbDataLayout.LoadIn, onDevice.Layout);
    }

    [Fact]
    public void Estimates_do_not_depend_on_how_many_subsamples_a_launch_computes()
    {
        const int n = 5000, b = 300, s = 5, r = 40;
        double[] values = TestData.Normal(n, 0, 1, seed: 2);
        int[][] subsamples = Subsamples(n, b, s);

        double[][] one = Bootstraps(values, subsamples, r, perLaunch: 1, out int oneLaunches, out int oneUploads);
        double[][] all = Bootstraps(values, subsamples, r, perLaunch: s, out int allLaunches, out int allUploads);

        for (int j = 0; j < s; j++)
        {
            Assert.Equal(one[j], all[j]); // bit for bit: each bootstrap's lanes and their order do not change
        }

        Assert.Equal((s, s), (oneLaunches, oneUploads));
        Assert.Equal((1, 1), (allLaunches, allUploads)); // the rows went up once for all bootstraps of the launch
    }

    [Fact]
    public void Small_runs_stay_on_the_processor_when_a_gpu_competes()
    {
        using var folder = new TemporaryFolder("blb-device-choice");
        var store = new TuningStore(folder.Combine("tuning.json"));
        BlbRuntime.DeviceCandidatesOverride = [DeviceRuntime.Cpu, DeviceRuntime.IlgpuCpu];
        try
        {
            BlbResult result = DeviceMean.Run(TestData.Normal(2000, 0, 1, seed: 3), new BlbOptions { Seed = 1, TuningStore = store });

            Assert.Equal("cpu", result.Device);
            Assert.False(File.Exists(store.Path)); // nothing was measured
        }
        finally
        {
            BlbRuntime.DeviceCandidatesOverride = null;
        }
    }

    [Fact]
    public void Larger_runs_are_timed_on_each_device_and_the_choice_is_kept_in_the_tuning_store()
    {
        using var folder = new TemporaryFolder("blb-device-trial");
        var store = new TuningStore(folder.Combine("tuning.json"));
        double[] values = TestData.Normal(60_000, 0, 1, seed: 4);
        var options = new BlbOptions { Seed = 1, Subsamples = 20, Bootstraps = 100, TuningStore = store };
        Assert.True((long)options.Subsamples * options.Bootstraps * options.SubsampleSize(values.Length) >= BlbRuntime.SmallWork);
        BlbRuntime.DeviceCandidatesOverride = [DeviceRuntime.Cpu, DeviceRuntime.IlgpuCpu];
        try
        {
            BlbResult first = DeviceMean.Run(values, options);
            string kernel = BlbRuntime.DeviceKernelName + ":" + typeof(DeviceMean).FullName + "." + nameof(DeviceMean.Kernel);
            var key = new VariantKey("any", kernel, "float64", 1, options.Bootstraps, VariantKey.RowBucketOf(values.Length));

            Assert.True(store.TryGet(key, out string kept), "the trial's choice was not kept");
            Assert.Equal(kept, first.Device);
            Assert.Contains(kept, new[] { "cpu", "ilgpu-cpu" });
            Assert.Equal(kept, DeviceMean.Run(values, options).Device);
        }
        finally
        {
            BlbRuntime.DeviceCandidatesOverride = null;
        }
    }

    [Fact]
    public void Adaptive_runs_and_estimators_without_a_gpu_form_run_on_the_processor_even_when_a_device_is_asked_for()
    {
        double[] values = TestData.Normal(2000, 0, 1, seed: 6);

        BlbResult adaptive = DeviceMean.Run(values, new BlbOptions { Seed = 1, Adaptive = true, Device = "ilgpu-cpu" });
        BlbResult plain = BlbRuntime.Run(values.Length, sizeof(double), values, static (sample, x) => WeightedEstimators.MeanWeighted(sample, x), null, null, new BlbOptions { Seed = 1, Device = "ilgpu-cpu" }, null, default);

        Assert.Equal("cpu", adaptive.Device);
        Assert.Equal("cpu", plain.Device);
    }

    [Fact]
    public void Progress_is_told_of_every_subsample_and_a_cancelled_run_stops()
    {
        double[] values = TestData.Normal(2000, 0, 1, seed: 7);
        var reports = new List<BlbProgress>();

        DeviceMean.Run(values, Options("ilgpu-cpu"), new SynchronousProgress(reports.Add));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Equal(Enumerable.Range(1, 6), reports.Select(static p => p.SubsamplesDone).Order());
        Assert.All(reports, static p => Assert.Equal(6, p.SubsamplesTotal));
        Assert.ThrowsAny<OperationCanceledException>(() => DeviceMean.Run(values, Options("ilgpu-cpu"), null, cancelled.Token));
    }

    [Fact]
    public void An_unknown_device_is_an_argument_exception_naming_the_option() =>
        Assert.Equal("Device", Assert.Throws<ArgumentException>(() => new BlbOptions { Device = "gpu" }).ParamName);

    private static double[][] Bootstraps(double[] values, int[][] subsamples, int r, int perLaunch, out int launches, out int uploads)
    {
        int n = values.Length, b = subsamples[0].Length, s = subsamples.Length;
        var estimates = new double[s][];
        for (int j = 0; j < s; j++)
        {
            estimates[j] = new double[r];
        }

        using var session = new BlbDeviceSession(DeviceRuntime.IlgpuCpu, new BoundDeviceForm<double[]>(DeviceMean.Form, values), n, b, s, r, 1, sizeof(double), 99, new UniformMultinomial(n, b), perLaunch);
        for (int start = 0; start < s; start += perLaunch)
        {
            session.Bootstraps(start, subsamples[start..Math.Min(s, start + perLaunch)], estimates);
        }

        launches = session.Launches;
        uploads = session.RowUploads;
        return estimates;
    }

    private static int[][] Subsamples(int n, int b, int s)
    {
        var random = new Random(11);
        var subsamples = new int[s][];
        for (int j = 0; j < s; j++)
        {
            subsamples[j] = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(b).Order().ToArray();
        }

        return subsamples;
    }

    private sealed class SynchronousProgress(Action<BlbProgress> report) : IProgress<BlbProgress>
    {
        public void Report(BlbProgress value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
