using Specialize.Devices;
using Specialize.Mixture;
using Specialize.Tests.Mixture;
using Specialize.Variants;
using Specialize.Tests.Mixture.Ilgpu;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>
/// Gaussian-mixture EM over ranks (run as threads) on an ILGPU device (its CPU accelerator) and in float32: each
/// rank's pieces run on the device and in the precision the fit asks for, and their sums join the same reduction.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class ClusterGmmDeviceTests
{
    private const string Device = "ilgpu-cpu";

    // One covariance variant everywhere (the Mahalanobis kernel has one on devices), so that only the grouping of the sums differs.
    private static GaussianMixture Fit(CovarianceType type, ComputePrecision precision, string device = Device) =>
        new GaussianMixture(new GaussianMixtureOptions
        {
            Components = ClusterGmmTests.Components,
            CovarianceType = type,
            Seed = 3,
            Device = device,
            Precision = precision,
            Variant = device == Device ? "ILGPU-V3" : "Syrk-Chunk-F32",
            TuningStore = TestStores.Scratch,
        }).Fit(ClusterGmmTests.X);

    [Theory]
    [InlineData(CovarianceType.Full, ComputePrecision.Double)]
    [InlineData(CovarianceType.Full, ComputePrecision.Single)]
    [InlineData(CovarianceType.Tied, ComputePrecision.Single)]
    [InlineData(CovarianceType.Diagonal, ComputePrecision.Double)]
    [InlineData(CovarianceType.Spherical, ComputePrecision.Single)]
    public void A_fit_over_ranks_on_a_device_is_the_one_process_fit_there_to_rounding(CovarianceType type, ComputePrecision precision)
    {
        string computeType = precision == ComputePrecision.Single ? "float32" : "float64";
        GaussianMixture alone = Fit(type, precision);
        Assert.Equal(Device, alone.Device);
        Assert.Equal(computeType, alone.ComputeType);
        foreach (var outcome in ThreadWorld.Run(3, _ => Fit(type, precision)))
        {
            GaussianMixture shared = outcome.Result;
            Assert.Equal(Device, shared.Device);
            Assert.Equal(Device, shared.KernelVariants[GmmKernels.DeviceKey]);
            Assert.Equal(computeType, shared.ComputeType);
            AssertSameFit(alone, shared, precision);
        }
    }

    [Fact]
    public void A_float32_fit_over_ranks_on_the_processor_is_the_one_process_float32_fit_to_rounding()
    {
        GaussianMixture alone = Fit(CovarianceType.Full, ComputePrecision.Single, device: "cpu");
        Assert.Equal("float32", alone.ComputeType);
        foreach (var outcome in ThreadWorld.Run(2, _ => Fit(CovarianceType.Full, ComputePrecision.Single, device: "cpu")))
        {
            GaussianMixture shared = outcome.Result;
            Assert.Equal("cpu", shared.Device);
            Assert.Equal("float32", shared.ComputeType);
            Assert.Equal("Syrk-Chunk-F32", shared.KernelVariants[GmmKernels.CovarianceKernelName]);

            // On the processor a piece's float32 covariance products are added in double per chunk, as on all rows.
            AssertSameFit(alone, shared, ComputePrecision.Double);
        }
    }

    [Fact]
    public void A_fit_over_ranks_on_a_device_does_not_depend_on_the_number_of_ranks()
    {
        var two = ThreadWorld.Run(2, _ => Fit(CovarianceType.Full, ComputePrecision.Single));
        var three = ThreadWorld.Run(3, _ => Fit(CovarianceType.Full, ComputePrecision.Single));
        foreach (var outcome in two.Concat(three))
        {
            Assert.Equal(two[0].Result.Iterations, outcome.Result.Iterations);
            Assert.Equal(BitConverter.DoubleToInt64Bits(two[0].Result.LowerBound), BitConverter.DoubleToInt64Bits(outcome.Result.LowerBound));
            Assert.Equal(two[0].Result.Means, outcome.Result.Means);
            Assert.Equal(two[0].Result.Covariances, outcome.Result.Covariances);
        }
    }

    /// <summary>
    /// The same iterations, and the values to the rounding of how the sums are grouped: in float64 the lower bound to
    /// 1e-12 and the parameters to 1e-10; in float32, where a device kernel adds a piece's products in float, to
    /// float32's stated bound (docs/gmm.md: 1e-6 and 1e-4).
    /// </summary>
    /// <summary>
    /// A rank keeps several pieces of the rows on its device: they stay there together, each uploaded once for the
    /// whole fit and not again for the next fit on the same data, instead of flushing one another at every kernel.
    /// </summary>
    [Fact]
    public void The_pieces_of_the_rows_stay_resident_together_across_iterations_and_fits()
    {
        var data = GmmData.FromMatrix(ClusterGmmTests.X);
        int pieces = ClusterEm.Pieces(data.Count).Count;
        GaussianMixture Fit(int components) => new GaussianMixture(new GaussianMixtureOptions
        {
            Components = components,
            CovarianceType = CovarianceType.Full,
            Seed = 3,
            Device = Device,
            Variant = "ILGPU-V3",
            TuningStore = TestStores.Scratch,
        }).Fit(data);

        int before = ResidentData.Uploads;
        var first = ThreadWorld.Run(2, _ => Fit(ClusterGmmTests.Components));
        Assert.True(first[0].Result.Iterations > 1);
        Assert.Equal(pieces, ResidentData.Uploads - before);

        // Ranks (threads here) that own the same pieces as before find them resident for a fit of another M.
        ThreadWorld.Run(2, _ => Fit(2)).Select(static o => o.Result).ToArray();
        Assert.Equal(pieces, ResidentData.Uploads - before);
    }

    private static ComputeDevice Gpu(int index) => new($"cuda:{index}", DeviceKind.Cuda, "test GPU", "9.0", 1L << 34, index);

    [Fact]
    public void With_several_gpus_on_a_node_each_rank_considers_only_gpu_local_rank_mod_gpus()
    {
        var cpu = DeviceRuntime.Cpu;
        ComputeDevice[] gpus = [Gpu(0), Gpu(1), Gpu(2)];
        for (int rank = 0; rank < 7; rank++)
        {
            Assert.Equal([cpu, gpus[rank % 3]], GmmDeviceSelection.OfRank([cpu, .. gpus], rank)); // the processor still competes
            Assert.Equal([gpus[rank % 3]], GmmDeviceSelection.OfRank(gpus, rank)); // SPECIALIZE_DEVICE=cuda
        }

        // One GPU or none: the selection decides as for one process.
        Assert.Equal([cpu, gpus[0]], GmmDeviceSelection.OfRank([cpu, gpus[0]], 5));
        Assert.Equal([cpu], GmmDeviceSelection.OfRank([cpu], 3));
        Assert.Equal("localRank", Assert.Throws<ArgumentOutOfRangeException>(() => GmmDeviceSelection.OfRank([cpu], -1)).ParamName);
    }

    [Fact]
    public void Ranks_sharing_a_node_with_two_gpus_are_given_one_each()
    {
        var data = GmmData.FromMatrix(ClusterGmmTests.X);
        var options = new GaussianMixtureOptions { Components = ClusterGmmTests.Components, TuningStore = TestStores.Scratch };
        ComputeDevice[] gpus = [Gpu(0), Gpu(1)];
        GmmDeviceSelection.CandidatesOverride = gpus;
        try
        {
            // A test world's ranks all run in this process, on one node: rank r has local rank r.
            var chosen = ThreadWorld.Run(4, _ => GmmDeviceSelection.Choose(data, ClusterGmmTests.Components, CovarianceType.Full, false, options, TestStores.Scratch).Id);
            Assert.Equal(["cuda:0", "cuda:1", "cuda:0", "cuda:1"], chosen.Select(static o => o.Result));
        }
        finally
        {
            GmmDeviceSelection.CandidatesOverride = null;
        }
    }

    private static void AssertSameFit(GaussianMixture alone, GaussianMixture shared, ComputePrecision precision)
    {
        (double bound, double parameters) = precision == ComputePrecision.Single ? (1e-6, 1e-4) : (1e-12, 1e-10);
        Assert.Equal(alone.Iterations, shared.Iterations);
        Assert.True(Math.Abs(alone.LowerBound - shared.LowerBound) <= bound * Math.Abs(alone.LowerBound), $"{shared.LowerBound:R} vs {alone.LowerBound:R}");
        ClusterGmmTests.AssertClose(alone.Weights, shared.Weights, parameters);
        ClusterGmmTests.AssertClose(alone.Means.Cast<double>(), shared.Means.Cast<double>(), parameters);
        ClusterGmmTests.AssertClose(alone.Covariances.Cast<double>(), shared.Covariances.Cast<double>(), parameters);
    }
}
