using Specialize.Blb;
using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests.Blb;

/// <summary>The driver's contract: reproducibility, adaptivity, progress, cancellation, bad input.</summary>
public class BlbRuntimeTests
{
    private static readonly double[] s_data = TestData.Normal(20_000, 1, 2, 99);

    private static BlbResult RunMean(double[] x, BlbOptions? options, IProgress<BlbProgress>? progress = null, CancellationToken cancellationToken = default) =>
        BlbRuntime.Run(x.Length, sizeof(double), x, static (sample, data) => MeanWeighted(sample, data), null, null, options, progress, cancellationToken);

    private static void AssertBitwiseEqual(BlbResult expected, BlbResult actual) => TestData.AssertBitwiseEqual(expected, actual);

    [Theory]
    [InlineData(25, false)] // parallel over pieces of a few bootstraps of one subsample
    [InlineData(1, false)]  // one subsample: its bootstraps in pieces
    [InlineData(40, true)]  // adaptive: waves of subsamples
    public void Result_is_bitwise_identical_for_one_thread_and_all_threads(int subsamples, bool adaptive)
    {
        BlbResult one = RunMean(s_data, new BlbOptions { Subsamples = subsamples, Adaptive = adaptive, MaxDegreeOfParallelism = 1, Seed = 5 });
        BlbResult all = RunMean(s_data, new BlbOptions { Subsamples = subsamples, Adaptive = adaptive, Seed = 5 });
        BlbResult three = RunMean(s_data, new BlbOptions { Subsamples = subsamples, Adaptive = adaptive, MaxDegreeOfParallelism = 3, Seed = 5 });
        AssertBitwiseEqual(one, all);
        AssertBitwiseEqual(one, three);
        Assert.Equal(1, one.Threads);
        Assert.Equal(Environment.ProcessorCount, all.Threads);
    }

    [Fact]
    public void Vector_result_is_bitwise_identical_across_thread_counts()
    {
        double[] flat = TestData.Normal(4000, 0, 1, 3);
        var x = Enumerable.Range(0, 2000).Select(i => new[] { 1.0, flat[2 * i], flat[2 * i + 1] }).ToArray();
        var y = Enumerable.Range(0, 2000).Select(i => x[i][1] - x[i][2] + flat[(7 * i) % 4000]).ToArray();
        BlbVectorResult Run(int threads) => BlbRuntime.RunVector(
            x.Length, 16, (x, y), static (sample, state) => LeastSquaresWeighted(sample, state),
            null, null, new BlbOptions { Subsamples = 8, Bootstraps = 40, MaxDegreeOfParallelism = threads }, null, CancellationToken.None);
        BlbVectorResult one = Run(1);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            BlbVectorResult other = Run(threads);
            Assert.Equal(one.StandardError, other.StandardError);
            Assert.Equal(one.Lower, other.Lower);
            Assert.Equal(one.Upper, other.Upper);
            Assert.Equal(one.BootstrapMean, other.BootstrapMean);
            Assert.Equal(one.Estimate, other.Estimate);
            Assert.Equal(one.SubsampleQualities.Length, other.SubsampleQualities.Length);
            for (int j = 0; j < one.SubsampleQualities.Length; j++)
            {
                Assert.Equal(one.SubsampleQualities[j], other.SubsampleQualities[j]);
            }
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_result_and_another_seed_a_different_one()
    {
        var options = new BlbOptions { Subsamples = 5, Bootstraps = 40, Seed = 17 };
        AssertBitwiseEqual(RunMean(s_data, options), RunMean(s_data, options));
        BlbResult other = RunMean(s_data, new BlbOptions { Subsamples = 5, Bootstraps = 40, Seed = 18 });
        Assert.NotEqual(RunMean(s_data, options).StandardError, other.StandardError);
    }

    [Fact]
    public void Default_seed_is_fixed()
    {
        Assert.Null(new BlbOptions().Seed);
        var options = new BlbOptions { Subsamples = 3, Bootstraps = 20 };
        AssertBitwiseEqual(RunMean(s_data, options), RunMean(s_data, new BlbOptions { Subsamples = 3, Bootstraps = 20 }));
    }

    [Fact]
    public void Load_in_and_indirection_give_the_same_result_and_are_reported()
    {
        BlbResult loadIn = RunMean(s_data, new BlbOptions { Subsamples = 4, Bootstraps = 30, DataLayout = BlbDataLayout.LoadIn });
        BlbResult indirection = RunMean(s_data, new BlbOptions { Subsamples = 4, Bootstraps = 30, DataLayout = BlbDataLayout.Indirection });
        Assert.Equal(BlbDataLayout.LoadIn, loadIn.Layout);
        Assert.Equal(BlbDataLayout.Indirection, indirection.Layout);
        AssertBitwiseEqual(loadIn, indirection);
        BlbResult auto = RunMean(s_data, new BlbOptions { Subsamples = 4, Bootstraps = 30 });
        Assert.NotEqual(BlbDataLayout.Auto, auto.Layout);
        // Rows so wide that the copies would exceed the memory budget: the model reads through indices.
        BlbResult wide = BlbRuntime.Run(
            s_data.Length, int.MaxValue, s_data, static (sample, data) => MeanWeighted(sample, data),
            null, null, new BlbOptions { Subsamples = 2, Bootstraps = 5 }, null, CancellationToken.None);
        Assert.Equal(BlbDataLayout.Indirection, wide.Layout);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Workspaces_kept_between_runs_do_not_carry_rows_of_the_previous_data(int threads)
    {
        // One subsample: every workspace copies subsample 0, so a copy left from the run on other data with the
        // same subsample size would be taken for this data's rows.
        var options = new BlbOptions { Subsamples = 1, Bootstraps = 40, Seed = 8, DataLayout = BlbDataLayout.LoadIn, MaxDegreeOfParallelism = threads };
        var throughIndices = new BlbOptions { Subsamples = 1, Bootstraps = 40, Seed = 8, DataLayout = BlbDataLayout.Indirection, MaxDegreeOfParallelism = threads };
        double[] other = s_data.Select(static v => v + 100).ToArray();
        BlbResult before = RunMean(s_data, options);
        BlbResult onOther = RunMean(other, options);
        BlbResult after = RunMean(s_data, options);
        // Reading through indices copies nothing, so it is the reference for each data set.
        AssertBitwiseEqual(RunMean(s_data, throughIndices), before);
        AssertBitwiseEqual(RunMean(other, throughIndices), onOther);
        AssertBitwiseEqual(before, after);
    }

    private sealed class Box(double value)
    {
        public double Value { get; } = value;
    }

    private static double BoxMeanWeighted(BlbSample sample, Box[] x)
    {
        ReadOnlySpan<Box> rows = sample.Gather(0, (ReadOnlySpan<Box>)x);
        ReadOnlySpan<int> weights = sample.Weights;
        double sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            sum += weights[i] * rows[i].Value;
        }
        return sum / sample.N;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference[] RunOnBoxesAndForgetThem()
    {
        Box[] boxes = s_data.Take(2_000).Select(static v => new Box(v)).ToArray();
        BlbResult result = BlbRuntime.Run(
            boxes.Length, IntPtr.Size, boxes, static (sample, data) => BoxMeanWeighted(sample, data),
            null, null, new BlbOptions { Subsamples = 3, Bootstraps = 10, DataLayout = BlbDataLayout.LoadIn }, null, CancellationToken.None);
        Assert.Equal(boxes.Average(static b => b.Value), result.Estimate, 9);
        return boxes.Select(static b => new WeakReference(b)).ToArray();
    }

    [Fact]
    public void Workspaces_kept_between_runs_do_not_keep_the_rows_of_a_run_alive()
    {
        WeakReference[] rows = RunOnBoxesAndForgetThem();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(0, rows.Count(static r => r.IsAlive));
    }

    [Fact]
    public void Layout_model_loads_in_reused_copies_that_fit_the_budget()
    {
        // 256 MiB for the copies a run holds: one subsample's on one thread, 2 x 2 + 1 = 5 subsamples' on two.
        Assert.Equal(BlbDataLayout.LoadIn, BlbLayoutModel.Choose(33_554_432, 8, 100, 1));
        Assert.Equal(BlbDataLayout.Indirection, BlbLayoutModel.Choose(33_554_433, 8, 100, 1));
        Assert.Equal(BlbDataLayout.LoadIn, BlbLayoutModel.Choose(6_710_886, 8, 100, 2));
        Assert.Equal(BlbDataLayout.Indirection, BlbLayoutModel.Choose(6_710_887, 8, 100, 2));
        Assert.Equal(BlbDataLayout.LoadIn, BlbLayoutModel.Choose(129_040, 8, 100, 16));
        // One bootstrap per subsample: the copy would hardly be reused.
        Assert.Equal(BlbDataLayout.Indirection, BlbLayoutModel.Choose(1000, 8, 1, 1));
        // The paper's rule, 40% of L2 (419,430 bytes of 1 MiB).
        const long l2 = 1L << 20;
        Assert.Equal(BlbDataLayout.LoadIn, BlbLayoutModel.ChoosePaperRule(52_428, 8, l2));
        Assert.Equal(BlbDataLayout.Indirection, BlbLayoutModel.ChoosePaperRule(52_429, 8, l2));
        Assert.Equal(1L << 20, BlbLayoutModel.ParseCacheSize("1024K\n"));
        Assert.Equal(2L << 20, BlbLayoutModel.ParseCacheSize("2M"));
        Assert.Equal(512L, BlbLayoutModel.ParseCacheSize("512"));
        Assert.Null(BlbLayoutModel.ParseCacheSize("big"));
        Assert.True(BlbLayoutModel.L2Bytes > 0);
    }

    [Fact]
    public void Adaptive_run_stops_early_and_reports_what_it_used()
    {
        var options = new BlbOptions { Subsamples = 200, Bootstraps = 500, Adaptive = true, AdaptiveTolerance = 0.05, Seed = 1 };
        BlbResult result = RunMean(s_data, options);
        Assert.InRange(result.Subsamples, options.AdaptiveSubsampleWindow + 1, options.Subsamples - 1);
        Assert.Equal(result.Subsamples, result.Bootstraps.Length);
        Assert.Equal(result.Subsamples, result.SubsampleQualities.Length);
        Assert.All(result.Bootstraps, r => Assert.InRange(r, options.AdaptiveBootstrapWindow + 1, options.Bootstraps - 1));
        double expected = 2 / Math.Sqrt(s_data.Length);
        Assert.True(Math.Abs(result.StandardError / expected - 1) < 0.15, $"{result.StandardError} vs {expected}");
    }

    [Fact]
    public void Fixed_run_uses_every_subsample_and_bootstrap()
    {
        BlbResult result = RunMean(s_data, new BlbOptions { Subsamples = 7, Bootstraps = 33 });
        Assert.Equal(7, result.Subsamples);
        Assert.Equal(Enumerable.Repeat(33, 7), result.Bootstraps);
        Assert.Equal(s_data.Length, result.N);
        Assert.True(result.Elapsed > TimeSpan.Zero);
    }

    private sealed class SynchronousProgress(Action<BlbProgress> report) : IProgress<BlbProgress>
    {
        public void Report(BlbProgress value) => report(value);
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(9, 2)]
    [InlineData(1, 2)]
    public void Progress_counts_finished_subsamples_up_to_the_total(int subsamples, int threads)
    {
        var reports = new List<BlbProgress>();
        var progress = new SynchronousProgress(p => { lock (reports) { reports.Add(p); } });
        RunMean(s_data, new BlbOptions { Subsamples = subsamples, Bootstraps = 10, MaxDegreeOfParallelism = threads }, progress);
        Assert.Equal(subsamples, reports.Count);
        Assert.Equal(Enumerable.Range(1, subsamples), reports.Select(r => r.SubsamplesDone).Order());
        Assert.All(reports, r => Assert.Equal(subsamples, r.SubsamplesTotal));
    }

    [Fact]
    public void Cancelled_token_stops_the_run()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => RunMean(s_data, null, null, source.Token));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Cancelling_during_the_run_stops_it(int threads)
    {
        using var source = new CancellationTokenSource();
        int calls = 0;
        var progress = new SynchronousProgress(_ => source.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => BlbRuntime.Run(
            s_data.Length, 8, s_data,
            (sample, data) => { Interlocked.Increment(ref calls); return MeanWeighted(sample, data); },
            null, null, new BlbOptions { Subsamples = 50, Bootstraps = 20, MaxDegreeOfParallelism = threads }, progress, source.Token));
        Assert.True(calls < 50 * 21, $"{calls} estimator calls");
    }

    [Fact]
    public void Exception_from_the_estimator_reaches_the_caller_unwrapped()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => BlbRuntime.Run(
            s_data.Length, 8, s_data,
            static (sample, data) => sample.IsFullData ? 0.0 : throw new InvalidOperationException("estimator failed"),
            null, null, new BlbOptions { Subsamples = 4, Bootstraps = 4, MaxDegreeOfParallelism = 2 }, null, CancellationToken.None));
        Assert.Equal("estimator failed", exception.Message);
    }

    public static TheoryData<string, Func<BlbOptions>> BadOptions() => new()
    {
        { nameof(BlbOptions.Subsamples), static () => new BlbOptions { Subsamples = 0 } },
        { nameof(BlbOptions.Bootstraps), static () => new BlbOptions { Bootstraps = 0 } },
        { nameof(BlbOptions.Gamma), static () => new BlbOptions { Gamma = 0 } },
        { nameof(BlbOptions.Gamma), static () => new BlbOptions { Gamma = 1.01 } },
        { nameof(BlbOptions.Gamma), static () => new BlbOptions { Gamma = double.NaN } },
        { nameof(BlbOptions.ConfidenceLevel), static () => new BlbOptions { ConfidenceLevel = 1 } },
        { nameof(BlbOptions.ConfidenceLevel), static () => new BlbOptions { ConfidenceLevel = 0 } },
        { nameof(BlbOptions.MaxDegreeOfParallelism), static () => new BlbOptions { MaxDegreeOfParallelism = 0 } },
        { nameof(BlbOptions.AdaptiveTolerance), static () => new BlbOptions { AdaptiveTolerance = 0 } },
        { nameof(BlbOptions.AdaptiveBootstrapWindow), static () => new BlbOptions { AdaptiveBootstrapWindow = 0 } },
        { nameof(BlbOptions.AdaptiveSubsampleWindow), static () => new BlbOptions { AdaptiveSubsampleWindow = 0 } },
        { nameof(BlbOptions.DataLayout), static () => new BlbOptions { DataLayout = (BlbDataLayout)7 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Option_out_of_range_is_rejected_naming_it(string name, Func<BlbOptions> spoiled)
    {
        BlbOptions options = spoiled();
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => RunMean(s_data, options));
        Assert.Equal(name, exception.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Data_with_fewer_than_two_rows_is_rejected_naming_n(int n)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => RunMean(new double[n], null));
        Assert.Equal("n", exception.ParamName);
    }

    [Fact]
    public void Subsample_size_below_two_is_rejected_naming_gamma()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => RunMean(new double[3], new BlbOptions { Gamma = 1e-12 }));
        Assert.Equal(nameof(BlbOptions.Gamma), exception.ParamName);
        Assert.Contains("at least 2", exception.Message);
    }

    [Fact]
    public void Gamma_one_uses_the_whole_data_as_subsample()
    {
        BlbResult result = RunMean(s_data, new BlbOptions { Gamma = 1, Subsamples = 2, Bootstraps = 50 });
        Assert.Equal(s_data.Length, result.SubsampleSize);
        // Then BLB is the classic bootstrap.
        double expected = 2 / Math.Sqrt(s_data.Length);
        Assert.True(Math.Abs(result.StandardError / expected - 1) < 0.2);
    }

    [Fact]
    public void Missing_estimator_and_negative_row_size_are_rejected_naming_them()
    {
        Assert.Equal("estimator", Assert.Throws<ArgumentNullException>(() =>
            BlbRuntime.Run<double[]>(10, 8, s_data, null!, null, null, null, null, CancellationToken.None)).ParamName);
        Assert.Equal("estimator", Assert.Throws<ArgumentNullException>(() =>
            BlbRuntime.RunVector<double[]>(10, 8, s_data, null!, null, null, null, null, CancellationToken.None)).ParamName);
        Assert.Equal("bytesPerRow", Assert.Throws<ArgumentOutOfRangeException>(() =>
            BlbRuntime.Run(s_data.Length, -1, s_data, static (sample, data) => MeanWeighted(sample, data), null, null, null, null, CancellationToken.None)).ParamName);
    }

    [Fact]
    public void NaN_in_the_data_is_rejected_before_bootstrapping()
    {
        double[] x = (double[])s_data.Clone();
        x[1234] = double.NaN;
        var exception = Assert.Throws<ArgumentException>(() => RunMean(x, null));
        Assert.Equal("data", exception.ParamName);
        Assert.Contains("NaN", exception.Message);
    }

    [Fact]
    public void NaN_check_names_the_users_parameter_and_the_row()
    {
        double[] x = (double[])s_data.Clone();
        BlbRuntime.ThrowIfAnyNaN<double>(x, "values");
        x[777] = double.NaN;
        var exception = Assert.Throws<ArgumentException>(() => BlbRuntime.ThrowIfAnyNaN<double>(x, "values"));
        Assert.Equal("values", exception.ParamName);
        Assert.Contains("777", exception.Message);
        Assert.Throws<ArgumentException>(() => BlbRuntime.ThrowIfAnyNaN<float>(new[] { 1f, float.NaN }, "scores"));
    }

    [Fact]
    public void Own_estimate_of_each_subsample_uses_balanced_weights_summing_to_n()
    {
        int balanced = 0;
        BlbRuntime.Run(
            1000, 8, 0,
            (sample, _) =>
            {
                if (!sample.IsFullData)
                {
                    int min = int.MaxValue, max = 0, sum = 0;
                    foreach (int w in sample.Weights)
                    {
                        min = Math.Min(min, w);
                        max = Math.Max(max, w);
                        sum += w;
                    }
                    Assert.Equal(1000, sum);
                    if (max - min <= 1)
                    {
                        // n spread over the b rows as floor((i + 1) n / b) - floor(i n / b).
                        int b = sample.Count;
                        Assert.Equal(Enumerable.Range(0, b).Select(i => ((i + 1) * 1000 / b) - (i * 1000 / b)), sample.Weights.ToArray());
                        Interlocked.Increment(ref balanced);
                    }
                }
                return 1.0;
            },
            null, null, new BlbOptions { Subsamples = 4, Bootstraps = 10 }, null, CancellationToken.None);
        // One balanced call per subsample; multinomial weights of 126 cells with mean 7.9 are never within 1 of each other.
        Assert.Equal(4, balanced);
    }

    [Fact]
    public void Length_check_names_the_co_iterated_parameter()
    {
        BlbRuntime.ThrowIfLengthDiffers(10, 10, "y");
        var exception = Assert.Throws<ArgumentException>(() => BlbRuntime.ThrowIfLengthDiffers(10, 9, "y"));
        Assert.Equal("y", exception.ParamName);
        Assert.Contains("expected 10, got 9", exception.Message);
    }

    [Theory]
    [InlineData(1)] // the full-data pass first sets the length
    [InlineData(2)] // subsample 0's own estimate sets it, the full-data pass runs beside the bootstraps
    [InlineData(3)]
    public void Vector_estimator_that_changes_its_length_is_rejected(int threads)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => BlbRuntime.RunVector(
            s_data.Length, 8, s_data, static (sample, data) => sample.IsFullData ? new double[2] : new double[3],
            null, null, new BlbOptions { Subsamples = 2, Bootstraps = 2, MaxDegreeOfParallelism = threads }, null, CancellationToken.None));
        Assert.Contains("2", exception.Message);
        Assert.Contains("3", exception.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Vector_run_calls_the_estimator_once_per_pass(int threads)
    {
        // One full-data pass, one own estimate per subsample, one call per bootstrap: subsample 0's own estimate,
        // computed first on several threads to learn the length, is not computed again.
        int calls = 0, fullData = 0;
        BlbRuntime.RunVector(
            s_data.Length, 8, s_data,
            (sample, data) =>
            {
                Interlocked.Increment(ref calls);
                if (sample.IsFullData)
                {
                    Interlocked.Increment(ref fullData);
                }
                return [MeanWeighted(sample, data), 1.0];
            },
            null, null, new BlbOptions { Subsamples = 5, Bootstraps = 7, MaxDegreeOfParallelism = threads }, null, CancellationToken.None);
        Assert.Equal(1, fullData);
        Assert.Equal(1 + (5 * (1 + 7)), calls);
    }

    [Fact]
    public void Subsample_size_is_the_ceiling_of_n_to_the_gamma()
    {
        var options = new BlbOptions { Gamma = 0.5 };
        Assert.Equal(100, options.SubsampleSize(10_000));
        Assert.Equal(101, options.SubsampleSize(10_001));
        Assert.Equal(15849, new BlbOptions().SubsampleSize(1_000_000));
        Assert.Equal(2, new BlbOptions { Gamma = 0.01 }.SubsampleSize(3));
    }

    [Theory]
    [InlineData(1)] // the full-data pass first, alone
    [InlineData(2)] // the full-data pass as a work item beside the subsamples' draws and bootstraps
    [InlineData(3)]
    public void Full_data_pass_sees_every_row_once_with_weight_one(int threads)
    {
        // A larger run first: the rows and weights kept from it must be cut to this run's n.
        BlbRuntime.Run(300, 8, 0, static (_, _) => 1.0, null, null, new BlbOptions { Subsamples = 2, Bootstraps = 2 }, null, CancellationToken.None);
        int[]? seenIndices = null;
        int[]? seenWeights = null;
        int fullDataCalls = 0;
        BlbResult result = BlbRuntime.Run(
            100, 8, 0,
            (sample, _) =>
            {
                if (sample.IsFullData)
                {
                    Interlocked.Increment(ref fullDataCalls);
                    seenIndices = sample.Indices.ToArray();
                    seenWeights = sample.Weights.ToArray();
                    return 7.0;
                }

                Assert.Equal(100, SumOf(sample.Weights));
                Assert.Equal(26, sample.Count); // ceil(100^0.7) = ceil(25.1)
                return 1.0;
            },
            null, null, new BlbOptions { Subsamples = 5, Bootstraps = 3, MaxDegreeOfParallelism = threads }, null, CancellationToken.None);
        Assert.Equal(1, fullDataCalls);
        Assert.Equal(Enumerable.Range(0, 100), seenIndices!);
        Assert.All(seenWeights!, w => Assert.Equal(1, w));
        Assert.Equal(100, seenWeights!.Length);
        Assert.Equal(7.0, result.Estimate);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NaN_from_the_full_data_pass_is_rejected_on_every_thread_count(int threads)
    {
        var exception = Assert.Throws<ArgumentException>(() => BlbRuntime.Run(
            s_data.Length, 8, s_data,
            static (sample, data) => sample.IsFullData ? double.NaN : MeanWeighted(sample, data),
            null, null, new BlbOptions { Subsamples = 4, Bootstraps = 5, MaxDegreeOfParallelism = threads }, null, CancellationToken.None));
        Assert.Equal("data", exception.ParamName);
    }

    [Fact]
    public void Exception_from_the_full_data_pass_on_several_threads_reaches_the_caller_unwrapped()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => BlbRuntime.Run(
            s_data.Length, 8, s_data,
            static (sample, data) => sample.IsFullData ? throw new InvalidOperationException("full data failed") : MeanWeighted(sample, data),
            null, null, new BlbOptions { Subsamples = 4, Bootstraps = 5, MaxDegreeOfParallelism = 2 }, null, CancellationToken.None));
        Assert.Equal("full data failed", exception.Message);
    }

    [Theory]
    [InlineData(7, 13)]  // pieces that do not divide the bootstraps
    [InlineData(3, 1)]   // one bootstrap per subsample: fewer items than threads would like
    [InlineData(2, 200)] // few subsamples, many bootstraps: several threads share each subsample
    [InlineData(25, 100)]
    public void Result_is_bitwise_identical_for_every_thread_count(int subsamples, int bootstraps)
    {
        BlbResult Run(int threads) => RunMean(s_data, new BlbOptions { Subsamples = subsamples, Bootstraps = bootstraps, MaxDegreeOfParallelism = threads, Seed = 12 });
        BlbResult one = Run(1);
        foreach (int threads in new[] { 2, 3, 4, 7 })
        {
            AssertBitwiseEqual(one, Run(threads));
        }
    }

    private static int SumOf(ReadOnlySpan<int> values)
    {
        int sum = 0;
        foreach (int v in values)
        {
            sum += v;
        }
        return sum;
    }

    [Fact]
    public void Quantiles_are_median_unbiased_order_statistics()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        // Type 8: position p(m + 1/3) + 1/3 (1-based).
        Assert.Equal(6, BlbStatistics.Quantile(sorted, 0.5), 12);
        Assert.Equal(1, BlbStatistics.Quantile(sorted, 0.01));
        Assert.Equal(11, BlbStatistics.Quantile(sorted, 0.99));
        Assert.Equal(0.25 * (11 + 1.0 / 3) + 1.0 / 3, BlbStatistics.Quantile(sorted, 0.25), 12);
        Assert.Equal(Math.Sqrt(11.0), BlbStatistics.StandardDeviation(sorted), 12);
        Assert.True(double.IsNaN(BlbStatistics.StandardDeviation([1.0])));
    }

    [Fact]
    public void Settling_rule_compares_the_last_value_with_each_in_the_window()
    {
        Assert.True(BlbStatistics.HasSettled([5, 1.00, 1.02, 0.99, 1.0], 3, 0.05));
        Assert.False(BlbStatistics.HasSettled([1.02, 0.99, 1.0], 3, 0.05));
        Assert.False(BlbStatistics.HasSettled([5, 1.10, 1.02, 0.99, 1.0], 3, 0.05));
    }
}

/// <summary>A subsample's rows under load-in: copied once, shared by the threads, forgotten before reuse.</summary>
public class BlbSubsampleTests
{
    [Fact]
    public void Rows_are_copied_once_and_shared_by_threads_that_ask_at_the_same_time()
    {
        double[] data = Enumerable.Range(0, 5_000).Select(static i => i * 0.5).ToArray();
        int[] indices = Enumerable.Range(0, 700).Select(static i => i * 7).ToArray();
        BlbSubsample subsample = BlbSubsample.Over(indices);
        using var start = new Barrier(8);
        var seen = new double[8][];
        Thread[] threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            seen[t] = subsample.Gather(0, (ReadOnlySpan<double>)data).ToArray();
        })).ToArray();
        Array.ForEach(threads, static thread => thread.Start());
        Array.ForEach(threads, static thread => thread.Join());
        Assert.Equal(1, subsample.CopiesMade);
        double[] expected = indices.Select(i => data[i]).ToArray();
        Assert.All(seen, rows => Assert.Equal(expected, rows));

        // A second input is a second copy; asking again copies nothing.
        int[] codes = Enumerable.Range(0, 5_000).ToArray();
        Assert.Equal(indices, subsample.Gather(1, (ReadOnlySpan<int>)codes).ToArray());
        subsample.Gather(0, (ReadOnlySpan<double>)data);
        Assert.Equal(2, subsample.CopiesMade);
    }

    [Fact]
    public void Forgotten_subsample_copies_the_rows_of_the_new_data()
    {
        double[] first = Enumerable.Range(0, 100).Select(static i => (double)i).ToArray();
        double[] second = first.Select(static v => -v).ToArray();
        int[] indices = [3, 10, 50, 99];
        BlbSubsample subsample = BlbSubsample.Over(indices);
        Assert.Equal([3.0, 10, 50, 99], subsample.Gather(0, (ReadOnlySpan<double>)first).ToArray());
        Assert.Equal([3.0, 10, 50, 99], subsample.Gather(0, (ReadOnlySpan<double>)second).ToArray());
        subsample.Forget();
        Assert.Equal([-3.0, -10, -50, -99], subsample.Gather(0, (ReadOnlySpan<double>)second).ToArray());
    }
}

/// <summary>The shelf that keeps scratch objects between runs.</summary>
public class ShelfTests
{
    [Fact]
    public void Take_gives_a_fitting_object_and_leaves_the_others()
    {
        var shelf = new Shelf<int[]>(3);
        int[] small = new int[4], large = new int[9];
        shelf.Put(small);
        shelf.Put(large);
        Assert.Same(large, shelf.Take(9, static (kept, length) => kept.Length == length));
        Assert.Null(shelf.Take(9, static (kept, length) => kept.Length == length));
        Assert.Same(small, shelf.Take(4, static (kept, length) => kept.Length == length));
        Assert.Null(shelf.Take(4, static (kept, length) => kept.Length == length));
    }

    [Fact]
    public void Full_shelf_keeps_what_is_put_back_in_place_of_an_older_object()
    {
        var shelf = new Shelf<int[]>(2);
        shelf.Put(new int[1]);
        shelf.Put(new int[1]);
        int[] newest = new int[2];
        shelf.Put(newest);
        Assert.Same(newest, shelf.Take(2, static (kept, length) => kept.Length == length));
        Assert.NotNull(shelf.Take(1, static (kept, length) => kept.Length == length));
    }
}
