using Specialize.Blb;
using Specialize.Tests.Blb;
using Specialize.Tests.Blb.Device;
using Specialize.Tests.Mixture;
using Specialize.Tests.Mixture.Ilgpu;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>
/// BLB over ranks (run as threads) with a GPU form on ILGPU's CPU accelerator: each rank's subsamples have their
/// bootstraps on its device, and their results join the same ordered reduction, so every rank gets the one-process
/// result on that device, bit for bit.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class ClusterBlbDeviceTests
{
    private static readonly double[] s_data = TestData.Normal(4000, 2, 1.5, seed: 8);

    private static BlbOptions Options(int subsamples, int threads, string device = "ilgpu-cpu") =>
        new() { Seed = 9, Subsamples = subsamples, Bootstraps = 20, Gamma = 0.8, Device = device, MaxDegreeOfParallelism = threads, TuningStore = TestStores.Scratch };

    [Theory]
    [InlineData(2, 5, 1)]
    [InlineData(3, 7, 2)]
    [InlineData(5, 3, 1)] // more ranks than subsamples: two ranks only make the full-data pass or nothing
    public void Every_rank_runs_its_bootstraps_on_its_device_and_gets_the_one_process_device_result_bit_for_bit(int ranks, int subsamples, int threads)
    {
        BlbResult alone = DeviceMean.Run(s_data, Options(subsamples, threads));
        Assert.Equal("ilgpu-cpu", alone.Device);

        var outcomes = ThreadWorld.Run(ranks, _ => DeviceMean.Run(s_data, Options(subsamples, threads)));

        Assert.All(outcomes, o =>
        {
            Assert.Equal("ilgpu-cpu", o.Result.Device);
            Assert.Equal(BlbDataLayout.LoadIn, o.Result.Layout);
            TestData.AssertBitwiseEqual(alone, o.Result);
        });
    }

    [Fact]
    public void Ranks_on_the_device_give_the_processors_standard_error_and_interval()
    {
        BlbResult processor = DeviceMean.Run(s_data, Options(6, 1, device: "cpu"));

        var outcomes = ThreadWorld.Run(3, _ => DeviceMean.Run(s_data, Options(6, 1)));

        Assert.All(outcomes, o =>
        {
            Assert.Equal("ilgpu-cpu", o.Result.Device);
            Assert.Equal(processor.Estimate, o.Result.Estimate);
            Assert.Equal(processor.StandardError, o.Result.StandardError, 1e-12 * processor.StandardError);
            Assert.Equal(processor.Lower, o.Result.Lower, 1e-12 * Math.Abs(processor.Lower));
            Assert.Equal(processor.Upper, o.Result.Upper, 1e-12 * Math.Abs(processor.Upper));
        });
    }
}
